"""TLS on the links between the sites and the siège: the siège's certificates, made with the `openssl` command, and a
site's check of the siège's certificate before its nats-server dials it.

`salle siege` makes, once, a certificate authority of its own (`tls/ca.key`, which never leaves the siège, and
`liaisons/siege-ca.pem`, which the administrator copies beside each site's day file with its `<site>.secret`), and
at every start a certificate for its leaf-node port signed by it, naming the addresses the sites dial (`--nom`).
Each site's nats-server verifies that certificate against `siege-ca.pem` (name and signature) before it sends its
password; nats-server refuses a plain link on a TLS port. The other way round, the siège's server asks each site
for a certificate of the same authority (`<site>.pem`, made once per site by `salle siege`, copied beside the
site's day file too): a link from anyone without one is refused at the handshake, before any password. An
authority of the siège's own rather than a public one: the siège is often reached by an address on the
organiser's network that no public authority would certify, and the sites then trust that one siège only, not
every certificate on the internet.
"""

from __future__ import annotations

import hashlib
import secrets
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

CA_FILE = "siege-ca.pem"  # beside each site's day file, like `<site>.secret`
CA_DAYS, CERT_DAYS = 3650, 825


def openssl(*args: str) -> None:
    try:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
    except FileNotFoundError:
        raise RuntimeError("La commande « openssl » est introuvable : installez le paquet Debian « openssl ».")
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"openssl a échoué : {exc.stderr.decode(errors='replace').strip()}")


def site_cert_name(site: str) -> str:
    """The site's own certificate and key, one file beside its day file (and in the siège's `liaisons/`)."""
    return f"{site.lower()}.pem"


def web_cert_name(site: str) -> str:
    """The certificate and key the site's laptops serve their pages with (https), beside the day file."""
    return f"{site.lower()}-web.pem"


CURVE = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def siege_authority(folder: Path, ca_out: Path) -> tuple[Path, Path]:
    """The siège's authority in `folder`, made once and kept (`ca.key` never leaves the siège), its certificate
    copied to `ca_out`. (certificate, key)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    ca_key, ca_cert = folder / "ca.key", folder / "ca.pem"
    if not ca_key.exists() or not ca_cert.exists():
        openssl("req", "-x509", *CURVE, "-keyout", str(ca_key), "-out", str(ca_cert), "-days", str(CA_DAYS),
                "-subj", "/O=Salle/CN=Autorite du siege", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ca_key.chmod(0o600)
    ca_out.parent.mkdir(parents=True, exist_ok=True)
    ca_out.write_bytes(ca_cert.read_bytes())
    return ca_cert, ca_key


def _alt_names(names: list[str]) -> str:
    return ",".join(("IP:" if is_ip(n) else "DNS:") + n for n in dict.fromkeys(names))


def make_web_cert(folder: Path, ca_out: Path, site: str, names: list[str]) -> Path:
    """A certificate of the siège's authority for a site's laptops (the main and its standby) naming `names`, the
    addresses the tablets type (and localhost), and its key, in one file beside `ca_out` (`<site>-web.pem`), made
    again at each call (an address changed, a laptop replaced). A tablet that trusts the siège's authority
    (`siege-ca.pem`, installed once) opens the pages over https: a secure context, where the page it keeps for a
    reload while the main is dead (tablette/sw.js) is allowed."""
    if not names:
        raise RuntimeError("Donnez au moins une adresse des portables du site (--nom), celle que tapent les tablettes.")
    ca_cert, ca_key = siege_authority(folder, ca_out)
    names = [*names, "localhost", "127.0.0.1"]  # the laptop's own borne, `salle verifier` on the laptop
    out = ca_out.parent / web_cert_name(site)
    with tempfile.TemporaryDirectory() as tmp:
        key, cert = Path(tmp) / "web.key", Path(tmp) / "web.crt"
        _server_cert(ca_cert, ca_key, names, site, key, cert)
        out.write_bytes(cert.read_bytes() + key.read_bytes())
    out.chmod(0o600)
    return out


def _server_cert(ca_cert: Path, ca_key: Path, names: list[str], common_name: str, key: Path, cert: Path) -> None:
    """A new key in `key` and its certificate in `cert`, signed by the authority, for a server reached at `names`."""
    with tempfile.TemporaryDirectory() as tmp:
        request, ext = Path(tmp) / "server.csr", Path(tmp) / "ext.cnf"
        ext.write_text(f"subjectAltName={_alt_names(names)}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
        openssl("req", "-new", *CURVE, "-keyout", str(key), "-out", str(request), "-subj", f"/O=Salle/CN={common_name}")
        openssl("x509", "-req", "-in", str(request), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-set_serial",
                str(secrets.randbits(63)), "-days", str(CERT_DAYS), "-extfile", str(ext), "-out", str(cert))


def check_web_cert(path: Path) -> str | None:
    """None if `path` holds a certificate and its key that a server can serve with; else why not, in French."""
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(str(path))
    except (OSError, ssl.SSLError):
        return (f"{path.name} n'est pas un certificat web lisible (certificat et clé) : refaites-le au siège avec "
                "« salle certificat-web » et recopiez-le à côté du fichier du jour.")
    return None


def client_context(folder: Path) -> ssl.SSLContext | None:
    """For a laptop asking another of its site over https (the main its standby, the standby its main): the
    siège's authority beside the day file, or None (then the system's, for an http address it changes nothing)."""
    ca = folder / CA_FILE
    try:
        return ssl.create_default_context(cafile=str(ca)) if ca.exists() else None
    except (OSError, ssl.SSLError):
        return None


def public_key_pin(pem: Path) -> str:
    """The hex SHA-256 of a certificate's public key (DER), as nats-server's `pinned_certs` lists them."""
    try:
        key = subprocess.run(["openssl", "x509", "-pubkey", "-noout", "-in", str(pem)], capture_output=True,
                             check=True, timeout=30).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=key, capture_output=True,
                             check=True, timeout=30).stdout
    except FileNotFoundError:
        raise RuntimeError("La commande « openssl » est introuvable : installez le paquet Debian « openssl ».")
    except subprocess.CalledProcessError:
        raise RuntimeError(f"{pem.name} n'est pas un certificat lisible.")
    return hashlib.sha256(der).hexdigest()


def renew_site_cert(folder: Path, ca_out: Path, site: str) -> Path:
    """A new key and certificate for `site` (`<site>.pem` beside `ca_out`), replacing the old one: once the siège
    starts again, it takes a leaf link only with a certificate it pins (make_siege_tls), so the old one is refused
    at the handshake even though the authority signed it."""
    ca_cert, ca_key = siege_authority(folder, ca_out)
    out = ca_out.parent / site_cert_name(site)
    out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        _site_cert(site, ca_cert, ca_key, out, Path(tmp))
    return out


def make_siege_tls(folder: Path, names: list[str], ca_out: Path, sites: list[str] = ()) -> tuple:
    """The siège's authority in `folder` (made once, kept; its certificate copied to `ca_out`), a certificate for
    the leaf port naming `names` (host names or IP addresses), made again at each call, and one client certificate
    per site of `sites` beside `ca_out` (`<site>.pem`, certificate and key, made once and kept): the siège's server
    takes a leaf link only from a holder of one, and only of the current one (its public key pinned: a renewed
    site's old certificate is refused). (certificate, key, authority's certificate, the sites' pins)."""
    ca_cert, ca_key = siege_authority(folder, ca_out)
    key, cert = folder / "siege.key", folder / "siege.pem"
    _server_cert(ca_cert, ca_key, names, "siege", key, cert)
    with tempfile.TemporaryDirectory() as tmp:
        for site in sites:
            _site_cert(site, ca_cert, ca_key, ca_out.parent / site_cert_name(site), Path(tmp))
    key.chmod(0o600)
    pins = tuple(public_key_pin(ca_out.parent / site_cert_name(site)) for site in sites)
    return cert, key, ca_cert, pins


def _site_cert(site: str, ca_cert: Path, ca_key: Path, out: Path, tmp: Path) -> None:
    if out.exists():
        return
    key, request, cert, ext = tmp / "site.key", tmp / "site.csr", tmp / "site.crt", tmp / "site.cnf"
    ext.write_text("extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n")
    openssl("req", "-new", *CURVE, "-keyout", str(key), "-out", str(request), "-subj", f"/O=Salle/CN={site}")
    openssl("x509", "-req", "-in", str(request), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-set_serial",
            str(secrets.randbits(63)), "-days", str(CA_DAYS), "-extfile", str(ext), "-out", str(cert))
    out.write_bytes(cert.read_bytes() + key.read_bytes())  # nats-server reads both from one file
    out.chmod(0o600)


def is_ip(name: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in name else socket.AF_INET, name)
        return True
    except OSError:
        return False


def check_siege(leaf_url: str, ca_file: Path, timeout: float = 3.0, site_cert: Path | None = None) -> str | None:
    """Whether the siège's leaf port at `leaf_url` shows a certificate of `ca_file`'s authority for its name: None
    if so, or if it cannot be reached now (the site works alone; its nats-server keeps trying); else why not, in
    French. What nats-server itself does before linking, said where the site's administrator reads it."""
    where = urlsplit(leaf_url)
    host, port = where.hostname or "", where.port or 7422
    try:
        context = ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError):
        return f"{ca_file.name} n'est pas un certificat lisible : recopiez-le depuis le dossier « liaisons » du siège."
    if site_cert is not None:
        try:
            context.load_cert_chain(str(site_cert))
        except (OSError, ssl.SSLError):
            return (f"{site_cert.name} n'est pas un certificat de site lisible : recopiez-le depuis le dossier "
                    "« liaisons » du siège.")
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            hello = sock.recv(4096)  # nats-server says INFO in clear, then the TLS handshake begins
            if b'"tls_required":true' not in hello.replace(b" ", b""):
                return (f"Le siège ({host}:{port}) ne chiffre pas ses liaisons (TLS) : liaison refusée ; vérifiez "
                        "l'adresse « siege » du fichier de session.")
            with context.wrap_socket(sock, server_hostname=host):
                return None
    except ssl.SSLCertVerificationError as exc:
        return (f"Le siège ({host}:{port}) présente un certificat que {ca_file.name} ne reconnaît pas "
                f"({exc.verify_message}) : liaison refusée. Recopiez {ca_file.name} depuis le dossier « liaisons » du "
                "siège, ou vérifiez l'adresse « siege » du fichier de session.")
    except (OSError, ssl.SSLError):
        return None  # unreachable now: the site works alone, its nats-server keeps trying
