"""帮助: the user guide inside the site, the section about the page one came from, and the
whole guide as one PDF (pingan.core.guide)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from pingan.orgs.access import role_codes

from . import guide


@login_required
@require_GET
def help_index(request: HttpRequest) -> HttpResponse:
    """The reader's own guide (the first written for their roles), with every guide listed."""
    first = guide.for_roles(role_codes(request.user))[0]
    return redirect("help:guide", first.slug)


@login_required
@require_GET
def help_guide(request: HttpRequest, slug: str) -> HttpResponse:
    shown = guide.guide(slug)
    if shown is None:
        raise Http404
    roles = role_codes(request.user)
    return render(
        request,
        "core/help.html",
        {"shown": shown, "guides": guide.for_roles(roles), "mine": _mine(roles)},
    )


@login_required
@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    """帮助 on a page: the section that explains it (``?page=`` its URL name), else the
    reader's own guide."""
    found = guide.section_for(request.GET.get("page", ""), role_codes(request.user))
    if found is None:
        return redirect("help:index")
    shown, section = found
    return redirect(f"{reverse('help:guide', args=[shown.slug])}#{section.anchor}")


@login_required
@require_GET
def help_pdf(request: HttpRequest) -> HttpResponse:
    """Every guide as one PDF (操作手册), pictures included."""
    from weasyprint import HTML  # imported here: loading Pango costs time at start-up

    html = render(request, "core/help_pdf.html", {"guides": guide.guides()}).content.decode()
    html = html.replace(guide.image_url(""), guide.IMAGE_DIR.as_uri() + "/")
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="pingan-guide.pdf"'
    return response


def _mine(roles) -> set[str]:
    return {g.slug for g in guide.guides() if set(g.roles) & set(roles)}
