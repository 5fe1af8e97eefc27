"""The production artefacts in deploy/ pass their own tools' checks (X7).

systemd-analyze verify reads the units as systemd would (with /opt/pingan pointed at this
checkout, so the commands they start exist); nginx -t reads the site with a throwaway
certificate. Both tools are Debian's (`.ci/run` installs nginx); their warnings fail too.
"""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install {name}; .ci/run does)")
    return path


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_the_systemd_units_verify(tmp_path):
    analyze = _tool("systemd-analyze")
    env = tmp_path / "pingan.env"
    env.write_text("PINGAN_SECRET_KEY=x\n")
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text().replace("/etc/pingan/pingan.env", str(env))
        text = text.replace("/opt/pingan", str(ROOT)).replace("=pingan\n", "=root\n")
        (tmp_path / unit.name).write_text(text)
        units.append(str(tmp_path / unit.name))
    assert {Path(unit).name for unit in units} >= {
        "pingan-web.service",
        "pingan-huey.service",
        "pingan-backup.service",
        "pingan-backup.timer",
    }
    result = _run(analyze, "verify", *units)
    assert (result.returncode, result.stderr) == (0, "")


def test_a_broken_unit_is_caught(tmp_path):
    analyze = _tool("systemd-analyze")
    unit = tmp_path / "broken.service"
    unit.write_text("[Service]\nType=notifyy\nExecStart=/nonexistent/gunicorn\n")
    result = _run(analyze, "verify", str(unit))
    assert result.returncode != 0 and "notifyy" in result.stderr


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pingan.example.gov.cn")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    crt, pem = folder / "site.crt", folder / "site.key"
    crt.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return crt, pem


def _nginx_check(tmp_path: Path, site: str) -> subprocess.CompletedProcess:
    nginx = _tool("nginx")
    crt, pem = _certificate(tmp_path)
    proxy = tmp_path / "nginx-proxy.conf"
    proxy.write_text((DEPLOY / "nginx" / "nginx-proxy.conf").read_text())
    site = (
        site.replace("/etc/pingan/tls/site.crt", str(crt))
        .replace("/etc/pingan/tls/site.key", str(pem))
        .replace("/etc/pingan/nginx-proxy.conf", str(proxy))
    )
    (tmp_path / "pingan.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/pingan.conf;\n}}\n"
    )
    return _run(nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(main))


def test_the_nginx_site_passes_nginx_t(tmp_path):
    result = _nginx_check(tmp_path, (DEPLOY / "nginx" / "pingan.conf").read_text())
    assert (result.returncode, result.stderr) == (0, "")


def test_a_broken_site_is_caught(tmp_path):
    site = (DEPLOY / "nginx" / "pingan.conf").read_text().replace("proxy_pass", "proxy_passs", 1)
    result = _nginx_check(tmp_path, site)
    assert result.returncode != 0 and "proxy_passs" in result.stderr


def test_the_site_passes_the_client_and_request_id_the_application_trusts():
    proxy = (DEPLOY / "nginx" / "nginx-proxy.conf").read_text()
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Request-ID"):
        assert f"proxy_set_header {header} " in proxy
    web = (DEPLOY / "systemd" / "pingan-web.service").read_text()
    assert "--bind 127.0.0.1:8000" in web  # only nginx reaches gunicorn: the proxy is trusted
