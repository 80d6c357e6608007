"""Every audit action as a sentence in the reader's language.

`SENTENCES` is the one registry: an action's sentence names the actor
(%(actor)s), the object (%(object)s, a link where the object has a page) and
the entry's details by their key. An action not listed reads as a generic
sentence built from the same parts, never as a Python repr.
"""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

SENTENCES: dict[str, Any] = {
    # accounts
    "accounts.register": _l("%(actor)s registered as a resident."),
    "accounts.revoke_sessions": _l("%(actor)s signed %(object)s out everywhere."),
    "accounts.change_password": _l("%(actor)s changed their password."),
    "accounts.verify_residence": _l("%(actor)s verified the residence of %(object)s."),
    "accounts.reject_residence": _l("%(actor)s did not approve the residence of %(object)s: %(reason)s"),
    "accounts.resubmit_residence": _l("%(actor)s asked again for residence verification."),
    "accounts.create_user": _l("%(actor)s created the account of %(object)s."),
    "accounts.update_user": _l("%(actor)s changed the account of %(object)s."),
    "accounts.activate": _l("%(actor)s reactivated the account of %(object)s."),
    "accounts.deactivate": _l("%(actor)s deactivated the account of %(object)s."),
    "accounts.assign_role": _l("%(actor)s gave %(object)s the role %(role)s (%(scope)s)."),
    "accounts.revoke_role": _l("%(actor)s removed the role %(role)s (%(scope)s) from %(object)s."),
    # places
    "places.create_subdistrict": _l("%(actor)s created the subdistrict %(name)s."),
    "places.update_subdistrict": _l("%(actor)s changed the subdistrict %(name)s."),
    "places.create_community": _l("%(actor)s created the community %(name)s."),
    "places.update_community": _l("%(actor)s changed the community %(name)s."),
    "places.create_grid": _l("%(actor)s created the grid %(name)s."),
    "places.update_grid": _l("%(actor)s changed the grid %(name)s."),
    "places.create_department": _l("%(actor)s created the department %(name)s."),
    "places.update_department": _l("%(actor)s changed the department %(name)s."),
    # consultation
    "consultation.settings": _l("%(actor)s changed the consultation settings of %(object)s."),
    "consultation.transition": _l("%(actor)s moved %(object)s from “%(from)s” to “%(to)s”."),
    "consultation.create_topic": _l("%(actor)s proposed %(object)s."),
    "consultation.update_topic": _l("%(actor)s edited %(object)s."),
    "consultation.agenda": _l("%(actor)s put %(object)s on the agenda."),
    "consultation.progress": _l("%(actor)s reported progress on %(object)s."),
    "consultation.merge": _l("%(actor)s merged %(object)s into topic #%(into)s."),
    "consultation.support": _l("%(actor)s supported %(object)s."),
    "consultation.withdraw_support": _l("%(actor)s withdrew their support for %(object)s."),
    "consultation.comment": _l("%(actor)s commented on topic #%(topic)s."),
    "consultation.edit_comment": _l("%(actor)s edited %(object)s."),
    "consultation.delete_comment": _l("%(actor)s deleted %(object)s."),
    "consultation.hide_comment": _l("%(actor)s hid %(object)s: %(reason)s"),
    "consultation.restore_comment": _l("%(actor)s restored %(object)s: %(reason)s"),
    "consultation.report": _l("%(actor)s reported %(object)s (%(reason)s)."),
    "consultation.auto_hide": _l("%(object)s was hidden automatically after %(reports)s reports."),
    "consultation.keep_topic": _l("%(actor)s kept %(object)s visible after reports: %(reason)s"),
    "consultation.hide_topic": _l("%(actor)s hid %(object)s after reports: %(reason)s"),
    "consultation.rate": _l("%(actor)s rated %(object)s %(score)s out of 5."),
    "consultation.block": _l("%(actor)s blocked %(object)s from posting for %(days)s days: %(reason)s"),
    "consultation.lift_block": _l("%(actor)s lifted the posting block of %(object)s."),
    # meetings
    "meetings.create_body": _l("%(actor)s set up %(object)s (%(name)s)."),
    "meetings.update_body": _l("%(actor)s changed %(object)s (%(name)s)."),
    "meetings.add_member": _l("%(actor)s added %(name)s to %(object)s."),
    "meetings.remove_member": _l("%(actor)s removed member #%(member)s from %(object)s."),
    "meetings.schedule": _l("%(actor)s scheduled %(object)s “%(title)s”."),
    "meetings.attendance": _l("%(actor)s recorded member #%(member)s as %(status)s at %(object)s."),
    "meetings.open_motion": _l("%(actor)s opened the vote on %(object)s."),
    "meetings.secret_ballot": _l("%(actor)s cast a secret ballot on %(object)s."),
    "meetings.vote": _l("%(actor)s voted %(choice)s on %(object)s."),
    "meetings.enter_tally": _l("%(actor)s entered the count for %(object)s: %(yes)s for, %(no)s against, %(abstain)s abstaining, %(present)s present."),
    "meetings.confirm_tally": _l("%(actor)s confirmed the count for %(object)s."),
    "meetings.close_motion": _l("%(actor)s closed the vote on %(object)s: %(text)s"),
    "meetings.publish_minutes": _l("%(actor)s published the minutes of %(object)s."),
    "meetings.rotate_checkin_code": _l("%(actor)s showed a new check-in code for %(object)s."),
    "meetings.withdraw_motion": _l("%(actor)s withdrew the vote on %(object)s: %(reason)s"),
    # the two lists
    "lists.start_draft": _l("%(actor)s started a draft of the lists of %(subdistrict)s (%(object)s)."),
    "lists.import": _l("%(actor)s imported %(rows)s items from %(file)s into a draft of the lists of %(subdistrict)s (%(object)s)."),
    "lists.add_item": _l("%(actor)s added “%(title)s” to %(object)s: %(reason)s"),
    "lists.change_item": _l("%(actor)s changed “%(title)s” in %(object)s: %(reason)s"),
    "lists.remove_item": _l("%(actor)s removed “%(title)s” from %(object)s: %(reason)s"),
    "lists.discard_draft": _l("%(actor)s discarded %(object)s."),
    "lists.publish": _l("%(actor)s published %(object)s as version %(number)s of the lists of %(subdistrict)s, in force from %(effective_on)s."),
    # time bank
    "timebank.register_volunteer": _l("%(actor)s registered as a volunteer."),
    "timebank.publish_activity": _l("%(actor)s published %(object)s “%(title)s”."),
    "timebank.sign_up": _l("%(actor)s signed up for %(object)s (%(status)s)."),
    "timebank.cancel_signup": _l("%(actor)s cancelled their sign-up for %(object)s."),
    "timebank.check_in": _l("%(actor)s checked in at %(object)s."),
    "timebank.check_out": _l("%(actor)s checked out of %(object)s."),
    "timebank.mark_attendance": _l("%(actor)s marked attendance on %(object)s."),
    "timebank.confirm_activity": _l("%(actor)s confirmed %(object)s; %(credited)s volunteers credited."),
    "timebank.cancel_activity": _l("%(actor)s cancelled %(object)s: %(reason)s"),
    "timebank.certificate": _l("%(actor)s issued a service certificate (%(total)s minutes)."),
    "timebank.settings": _l("%(actor)s changed the time bank settings."),
    "timebank.credit_line": _l("%(actor)s changed a resident's credit line from %(before)s to %(after)s minutes: %(reason)s"),
    "timebank.request_grant": _l("%(actor)s asked for a grant of %(minutes)s minutes (%(object)s)."),
    "timebank.request_service": _l("%(actor)s asked for a service credit of %(minutes)s minutes (%(object)s)."),
    "timebank.request_reversal": _l("%(actor)s asked to reverse transaction #%(txn)s (%(object)s)."),
    "timebank.confirm_request": _l("%(actor)s confirmed %(object)s."),
    "timebank.decline_request": _l("%(actor)s declined %(object)s."),
    "timebank.service": _l("%(actor)s credited %(minutes)s minutes of service (%(object)s)."),
    "timebank.grant": _l("%(actor)s granted %(minutes)s minutes (%(object)s)."),
    "timebank.transfer": _l("%(actor)s transferred %(minutes)s minutes (%(object)s)."),
    "timebank.donation": _l("%(actor)s donated %(minutes)s minutes to the pool (%(object)s)."),
    "timebank.exchange": _l("%(actor)s paid %(minutes)s minutes for a service (%(object)s)."),
    "timebank.reversal": _l("%(actor)s reversed a transaction (%(object)s)."),
    # help between neighbours (app.timebank.exchange)
    "timebank.help_categories": _l("%(actor)s changed the categories of help: %(names)s."),
    "timebank.help_wider": _l("%(actor)s chose whether to see requests of the subdistrict's other communities: %(wider)s."),
    "timebank.help_priority": _l("%(actor)s set %(object)s as a priority resident: %(priority)s (%(reason)s)."),
    "timebank.help_post": _l("%(actor)s posted %(object)s for %(resident)s (%(acting)s): %(category)s, %(minutes)s minutes."),
    "timebank.help_offer": _l("%(actor)s offered to help with %(object)s."),
    "timebank.help_choose": _l("%(actor)s chose %(helper)s to help with %(object)s."),
    "timebank.help_withdraw": _l("%(actor)s stepped back from %(object)s."),
    "timebank.help_message": _l("%(actor)s sent a message about %(object)s."),
    "timebank.help_cancel": _l("%(actor)s cancelled %(object)s for %(resident)s (%(acting)s); %(released)s reserved minutes went back to the pool."),
    "timebank.pool_approve": _l("%(actor)s approved pool support for %(object)s and reserved %(minutes)s minutes."),
    "timebank.pool_decline": _l("%(actor)s declined pool support for %(object)s: %(reason)s"),
    "timebank.help_confirm": _l("%(actor)s confirmed %(object)s for %(resident)s (%(acting)s): %(minutes)s minutes, %(pool_minutes)s of them from the pool, rating %(rating)s."),
    "timebank.listing_post": _l("%(actor)s listed the standing offer “%(title)s”."),
    "timebank.listing_withdraw": _l("%(actor)s withdrew the standing offer “%(title)s”."),
    "timebank.claim_start": _l("%(actor)s recorded %(minutes)s minutes of help given to %(receiver)s (%(object)s)."),
    "timebank.claim_confirm": _l("%(actor)s confirmed %(object)s for %(resident)s (%(acting)s)."),
    "timebank.claim_dispute": _l("%(actor)s disputed %(object)s for %(resident)s (%(acting)s): %(reason)s"),
    "timebank.claim_uphold": _l("%(actor)s upheld %(object)s: %(reason)s"),
    "timebank.claim_reject": _l("%(actor)s rejected %(object)s: %(reason)s"),
    "timebank.claim_expired": _l("%(object)s expired unconfirmed (%(minutes)s minutes)."),
    "timebank.family_ask": _l("%(actor)s asked %(relative_name)s to link as family (%(object)s)."),
    "timebank.family_accept": _l("%(actor)s accepted the family link with %(relative_name)s (%(object)s)."),
    "timebank.family_refuse": _l("%(actor)s refused the family link with %(relative_name)s (%(object)s)."),
    "timebank.family_withdraw": _l("%(actor)s withdrew the family link question to %(relative_name)s (%(object)s)."),
    "timebank.family_end": _l("%(actor)s ended the family link with %(relative_name)s (%(object)s)."),
    "timebank.family_transfer": _l("%(actor)s gave %(minutes)s minutes to %(receiver_name)s, a linked relative (%(object)s)."),
    "timebank.proxy_designate": _l("%(actor)s named %(proxy_name)s as proxy (代办) for %(resident_name)s (%(object)s); consent: %(consent)s"),
    "timebank.proxy_revoke": _l("%(actor)s revoked %(proxy_name)s as proxy for %(resident_name)s (%(object)s): %(reason)s"),
    # evaluation
    "evaluation.create_round": _l("%(actor)s created the evaluation round “%(title)s”."),
    "evaluation.copy_round": _l("%(actor)s copied “%(source)s” as %(object)s (%(sheets)s sheets)."),
    "evaluation.update_round": _l("%(actor)s changed the settings of %(object)s."),
    "evaluation.rubric": _l("%(actor)s set the rubric of %(object)s (%(direction)s): %(criteria)s."),
    "evaluation.assign": _l("%(actor)s assigned %(evaluator)s %(sheets)s sheets in %(object)s (%(direction)s)."),
    "evaluation.unassign": _l("%(actor)s removed the sheet of %(evaluator)s for %(party)s from %(object)s."),
    "evaluation.questions": _l("%(actor)s set %(count)s survey questions of %(object)s."),
    "evaluation.open": _l("%(actor)s opened %(object)s “%(title)s”."),
    "evaluation.close": _l("%(actor)s closed %(object)s “%(title)s”."),
    "evaluation.reopen": _l("%(actor)s reopened %(object)s “%(title)s”: %(reason)s"),
    "evaluation.publish": _l("%(actor)s published the results of %(object)s “%(title)s”."),
    "evaluation.save_sheet": _l("%(actor)s saved a draft sheet for %(party)s in %(object)s."),
    "evaluation.submit_sheet": _l("%(actor)s submitted their sheet for %(party)s in %(object)s."),
    "evaluation.reopen_sheet": _l("%(actor)s reopened their sheet for %(party)s in %(object)s."),
    "evaluation.survey": _l("%(actor)s answered the satisfaction survey of %(object)s."),
    "evaluation.survey_proxy": _l("%(actor)s recorded a resident's survey answers in %(object)s on their behalf."),
    "evaluation.remind": _l("%(actor)s reminded %(evaluators)s evaluators of %(object)s."),
    # admission requests (社区事务准入) and entrustment agreements (委托协议)
    "admission.settings": _l("%(actor)s set the admission deadlines of %(object)s: filed %(notice_days)s working "
                             "days ahead, decided within %(decision_days)s."),
    "admission.submit": _l("%(actor)s filed %(object)s: %(title)s (lists version %(version)s)."),
    "admission.decide": _l("%(actor)s decided %(object)s: %(outcome)s (list item: %(item)s)."),
    "admission.decline": _l("%(actor)s declined %(object)s for the community: %(reason)s"),
    "admission.withdraw": _l("%(actor)s withdrew %(object)s."),
    "admission.under_agreement": _l("%(actor)s brought an agreement into force for %(object)s."),
    "agreements.create": _l("%(actor)s drafted %(object)s: %(title)s."),
    "agreements.add_item": _l("%(actor)s added the item %(item)s (%(amount)s yuan) to %(object)s."),
    "agreements.remove_item": _l("%(actor)s removed the item %(item)s from %(object)s."),
    "agreements.add_milestone": _l("%(actor)s scheduled the payment %(milestone)s (%(amount)s yuan) in %(object)s."),
    "agreements.remove_milestone": _l("%(actor)s removed the payment %(milestone)s from %(object)s."),
    "agreements.sign": _l("%(actor)s signed %(object)s for %(side)s (%(total)s yuan)."),
    "agreements.supersede": _l("An amendment signed by %(actor)s superseded %(object)s."),
    "agreements.amend": _l("%(actor)s drafted %(object)s, an amendment of agreement #%(previous)s."),
    "agreements.fulfilment": _l("%(actor)s recorded the item %(item)s of %(object)s as %(status)s."),
    "agreements.payment": _l("%(actor)s recorded a payment of %(amount)s yuan (%(milestone)s) for %(object)s."),
}

ON_BEHALF = _l(" (done by %(proxy_name)s for %(on_behalf_of_name)s as proxy)")
GENERIC = _l("%(actor)s: %(what)s on %(object)s.")
GENERIC_WITH_DETAILS = _l("%(actor)s: %(what)s on %(object)s (%(details)s).")

# object_type -> (label, endpoint, the endpoint's argument)
OBJECTS: dict[str, tuple[Any, str | None, str | None]] = {
    "topic": (_l("topic #%(id)s"), "consultation.show_topic", "topic_id"),
    "comment": (_l("comment #%(id)s"), None, None),
    "meeting": (_l("meeting #%(id)s"), "meetings.show_meeting", "meeting_id"),
    "body": (_l("body #%(id)s"), "meetings.show_body", "body_id"),
    "motion": (_l("motion #%(id)s"), None, None),
    "activity": (_l("activity #%(id)s"), "volunteering.show_activity", "activity_id"),
    "signup": (_l("sign-up #%(id)s"), None, None),
    "community": (_l("community #%(id)s"), "places.show_community", "community_id"),
    "subdistrict": (_l("subdistrict #%(id)s"), None, None),
    "grid": (_l("grid #%(id)s"), None, None),
    "department": (_l("department #%(id)s"), None, None),
    "user": (_l("person #%(id)s"), "accounts.show_user", "user_id"),
    "txn": (_l("transaction #%(id)s"), None, None),
    "account": (_l("account #%(id)s"), None, None),
    "ledgerrequest": (_l("request #%(id)s"), None, None),
    "certificate": (_l("certificate #%(id)s"), None, None),
    "timebank_settings": (_l("time bank settings"), None, None),
    "helprequest": (_l("help request #%(id)s"), "timebank.show_help", "help_id"),
    "serviceclaim": (_l("record of help #%(id)s"), "timebank.show_claim", "claim_id"),
    "servicelisting": (_l("standing offer #%(id)s"), None, None),
    "familylink": (_l("family link #%(id)s"), None, None),
    "familyproxy": (_l("proxy #%(id)s"), None, None),
    "familytransfer": (_l("family transfer #%(id)s"), "timebank.show_transfer", "transfer_id"),
    "evaluationround": (_l("evaluation round #%(id)s"), "evaluation.show_round", "round_id"),
    "listversion": (_l("lists version #%(id)s"), "lists.show_version", "version_id"),
    "admissionrequest": (_l("admission request #%(id)s"), "agreements.show_request", "admission_id"),
    "agreement": (_l("agreement #%(id)s"), "agreements.show_agreement", "agreement_id"),
}


def _labels() -> dict[str, dict]:
    from app.accounts.models import ROLE_LABELS
    from app.agreements.models import DELIVERY_LABELS, REQUEST_LABELS, SIDE_LABELS
    from app.consultation.models import REPORT_LABELS, STATE_LABELS
    from app.evaluation.models import DIRECTION_LABELS
    from app.meetings.models import ATTENDANCE_LABELS, CHOICE_LABELS
    from app.timebank.exchange_models import ACTING_LABELS
    from app.volunteering.models import SIGNUP_LABELS

    return {"role": ROLE_LABELS, "from": STATE_LABELS, "to": STATE_LABELS, "reason": REPORT_LABELS,
            "choice": CHOICE_LABELS, "status": {**SIGNUP_LABELS, **ATTENDANCE_LABELS, **DELIVERY_LABELS},
            "direction": DIRECTION_LABELS, "outcome": REQUEST_LABELS, "side": SIDE_LABELS,
            "acting": ACTING_LABELS}


def _label(mapping: dict, value: Any) -> Any:
    for key, label in mapping.items():
        if getattr(key, "name", key) == value:
            return str(label)
    return value


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_value(v)}" for k, v in value.items())
    return str(value)


def _object(entry, names: dict[tuple[str, int], str], links: set[str], html: bool):
    label, endpoint, arg = OBJECTS.get(entry.object_type, (None, None, None))
    name = names.get((entry.object_type, entry.object_id))
    if name:
        text = name
    elif label is not None:
        text = str(label) % {"id": entry.object_id or ""}
    elif entry.object_type:
        text = f"{entry.object_type.replace('_', ' ')} #{entry.object_id or ''}".strip(" #")
    else:
        text = _("the platform")
    if not html:
        return text
    if endpoint and entry.object_id and endpoint in links:
        return Markup('<a href="%s">%s</a>') % (url_for(endpoint, **{arg: entry.object_id}), text)
    return escape(text)


def params_of(entry, *, names: dict | None = None, links: set[str] = frozenset(), html: bool = True) -> dict:
    names = names or {}
    labels = _labels()
    detail = dict(entry.detail or {})
    if "legs" in detail:  # a time bank transaction: the minutes that moved
        detail["minutes"] = sum(amount for _account, amount in detail["legs"] if amount > 0)
    params: dict[str, Any] = {}
    for key, value in detail.items():
        if key in labels:
            value = _label(labels[key], value)
        params[key] = escape(_value(value)) if html else _value(value)
    actor = entry.actor.display_name if entry.actor is not None else _("The system")
    params["actor"] = escape(actor) if html else actor
    params["object"] = _object(entry, names, links, html)
    return params


class _Defaulting(dict):
    def __missing__(self, key):
        return "—"


def sentence_for(entry, *, names: dict | None = None, links: set[str] = frozenset(), html: bool = True):
    """The entry as a sentence (safe HTML with links, or plain text)."""
    params = _Defaulting(params_of(entry, names=names, links=links, html=html))
    template = SENTENCES.get(entry.action)
    if template is None:
        what = entry.action.replace("_", " ").replace(".", ": ", 1)
        params["what"] = escape(what) if html else what
        details = "; ".join(f"{k.replace('_', ' ')} {_value(v)}" for k, v in (entry.detail or {}).items())
        params["details"] = escape(details) if html else details
        template = GENERIC_WITH_DETAILS if details else GENERIC
    text = str(template)
    if (entry.detail or {}).get("on_behalf_of_name"):  # a proxy's (代办) act: say for whom, and by whom
        text += str(ON_BEHALF)
    return Markup(text) % params if html else text % params
