"""The API of background jobs: a client that started one (a scorecard fit, say) follows it
here, as a person follows its page. Only the person who started a job sees it; anyone else
gets 404, as for objects out of scope."""

from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import DefaultRouter

from .jobs import job_progress
from .models import Job


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField(help_text="[done, total] while it runs")

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "message",
            "result",
            "progress",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_progress(self, job: Job) -> list[int] | None:
        progress = None if job.finished else job_progress(job)
        return list(progress) if progress else None


class JobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One of the caller's background jobs: its status, and its outcome once it has ended."""

    # the schema reads the model here; the rows always come from get_queryset()
    queryset = Job.objects.none()

    serializer_class = JobSerializer

    def get_queryset(self):
        return Job.objects.filter(owner=self.request.user)


router = DefaultRouter(trailing_slash=True)
router.register("jobs", JobViewSet, basename="job")
urlpatterns = router.urls
