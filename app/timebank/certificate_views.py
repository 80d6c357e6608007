"""Certificates: a resident issues one for a period, prints it; anyone checks it by its code."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.timebank import certificates
from app.timebank.forms import CertificateForm, VerifyForm
from app.timebank.views import bp, this_year_so_far
from app.web import found, qr_svg, render, submit_form


@bp.route("/my/certificates", methods=["GET", "POST"])
@login_required
def my_certificates():
    form = CertificateForm()
    if request.method == "GET":
        form.period_from.data, form.period_to.data = this_year_so_far()
    return submit_form(form, lambda: certificates.issue(current_user, form.period_from.data, form.period_to.data),
                       done=lambda c: url_for("timebank.show_certificate", code=c.code),
                       message=_("Your certificate is ready. Print it or show its code."),
                       page="timebank/certificates.html", issued=certificates.certificates_of(current_user))


@bp.get("/certificates/<code>")
def show_certificate(code: str):
    """Public: anyone holding the code (or scanning the QR) sees whether it is genuine."""
    certificate = found(certificates.by_code(code))
    return render("timebank/certificate.html", c=certificate, genuine=certificates.is_genuine(certificate),
                  reversed=certificates.reversed_minutes(certificate),
                  mine=current_user.is_authenticated and current_user.id == certificate.user_id)


@bp.get("/certificates/<code>/qr.svg")
def certificate_qr(code: str):
    certificate = found(certificates.by_code(code))
    from app.web import external_url  # this site's address, never the request's Host

    link = external_url("timebank.show_certificate", code=certificate.code)
    return qr_svg(link, _("Verification QR code"), scale=4)


@bp.get("/verify")
def verify_certificate():
    form = VerifyForm(request.args)
    if request.args.get("code") is not None:
        if form.validate() and (certificate := certificates.by_code(form.code.data)) is not None:
            return render("timebank/certificate.html", c=certificate, genuine=certificates.is_genuine(certificate),
                          reversed=certificates.reversed_minutes(certificate), mine=False)
        form.code.errors = [_("No certificate has this code. Check it and try again.")]
        return render("timebank/verify.html", form=form, status=404)
    return render("timebank/verify.html", form=form)
