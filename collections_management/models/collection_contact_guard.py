from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import format_datetime

from ..tools import PERIOD_DAYS, clamp
from .collection_contact import CHANNELS, OPTOUT_FIELD

# Channels the guards know; letters and portal messages are not "contacts" in the
# sense of the contact-hours and frequency rules.
TIMED_CHANNELS = ("phone", "sms", "email", "visit")
# Channels the call-frequency guard counts and checks: a text is treated as a call.
FREQUENCY_CHANNELS = ("phone", "sms")
# Outcomes of a call in which the debtor was actually spoken to.
CONVERSATION_OUTCOMES = ("reached", "promise", "dispute", "refused", "paid", "stop", "inconvenient")


def _float_time(value):
    hours, minutes = divmod(round(value * 60), 60)
    return f"{hours:02d}:{minutes:02d}"


class CollectionContactGuard(models.AbstractModel):
    """Decides whether an outbound contact may happen now, for many debtors at once.

    A request is a dict: partner (the debtor), channel, company, and optionally
    contact_partner (who is contacted), template (the mail template to send) and at
    (when the contact happens, default now).
    `_check` returns, for each request, the list of (guard, explanation) that block it;
    an empty list means the contact is allowed. A constant number of queries."""

    _name = "collection.contact.guard"
    _description = "Collection Contact Guards"

    @api.model
    def _check(self, requests, now=None, exclude_ids=()):
        """`exclude_ids`: contacts not to count as earlier calls (being corrected)."""
        now = now or fields.Datetime.now()
        if not requests:
            return []
        policies = {}
        for company, partner_ids in self._group_partners(requests).items():
            partners = self.env["res.partner"].browse(partner_ids)
            for partner_id, policy in (
                self.env["collection.policy"]._get_partner_policies(partners, company).items()
            ):
                policies[company.id, partner_id] = policy
        call_partners = self.env["res.partner"].browse(
            {req["partner"].id for req in requests if req["channel"] in FREQUENCY_CHANNELS}
        )
        call_stats = self._call_stats(call_partners, requests, policies, now, exclude_ids)
        results = []
        for req in requests:
            policy = policies.get((req["company"].id, req["partner"].id))
            results.append(self._check_one(req, policy, req.get("at") or now, call_stats))
        return results

    @api.model
    def _group_partners(self, requests):
        grouped = defaultdict(set)
        for req in requests:
            grouped[req["company"]].add(req["partner"].id)
        return grouped

    @api.model
    def _call_stats(self, partners, requests, policies, now, exclude_ids=()):
        """{partner id: {"calls": [datetimes of outbound calls], "talks": [datetimes of
        conversations]}} in one query, over the widest window any of the partners'
        policies asks for, plus a day for the local calendar days (a few rows per debtor:
        the limits keep them few)."""
        if not partners:
            return {}
        windows = [
            clamp(max(policy.call_window_days, policy.call_quiet_days), PERIOD_DAYS)
            for policy in policies.values()
            if policy and policy.guard_call_frequency
        ]
        if not windows:
            return {}
        moments = [req.get("at") or now for req in requests]
        since = min(moments) - timedelta(days=max(windows) + 1)
        rows = (
            self.env["collection.contact"]
            .with_context(active_test=False)
            .search_read(
                [
                    ("partner_id", "in", partners.ids),
                    ("channel", "in", FREQUENCY_CHANNELS),
                    ("date", ">=", since),
                    ("date", "<=", max(moments)),
                    ("id", "not in", list(exclude_ids)),
                ],
                ["partner_id", "date", "direction", "outcome"],
                load=None,
            )
        )
        stats = defaultdict(lambda: {"calls": [], "talks": []})
        for row in rows:
            entry = stats[row["partner_id"]]
            if row["direction"] == "outbound":
                entry["calls"].append(row["date"])
            if row["outcome"] in CONVERSATION_OUTCOMES:
                entry["talks"].append(row["date"])
        return stats

    @api.model
    def _local_now(self, partner, company, now):
        tz_name = partner.tz or company.partner_id.tz or "UTC"
        try:
            tz = pytz.timezone(tz_name)
        except pytz.UnknownTimeZoneError:
            tz = pytz.utc
        return pytz.utc.localize(now).astimezone(tz).replace(tzinfo=None), tz.zone

    @api.model
    def _check_one(self, req, policy, now, call_stats):
        _ = self.env._
        partner = req["partner"]
        channel = req["channel"]
        contacted = req.get("contact_partner") or partner
        template = req.get("template")
        blocks = []
        # without a policy, the guards that protect every debtor still apply
        guard = (
            (lambda name: policy[name])
            if policy
            else (lambda name: name in ("guard_cease", "guard_opt_out", "guard_lawyer"))
        )

        lawyer = partner.collection_lawyer_id
        if (
            guard("guard_lawyer")
            and lawyer
            and contacted.commercial_partner_id != lawyer.commercial_partner_id
        ):
            blocks.append(
                (
                    "lawyer",
                    _(
                        "%(debtor)s is represented by %(lawyer)s: contact only the lawyer.",
                        debtor=partner.name,
                        lawyer=lawyer.name,
                    ),
                )
            )
        if guard("guard_cease") and partner.collection_cease:
            if channel in ("phone", "sms", "visit"):
                blocks.append(
                    (
                        "cease",
                        _(
                            "%(debtor)s asked to cease communication on %(date)s: no more "
                            "calls, texts or visits.",
                            debtor=partner.name,
                            date=partner.collection_cease_date or "-",
                        ),
                    )
                )
            elif channel in ("email", "letter") and not (
                template and template.collection_cease_notice
            ):
                blocks.append(
                    (
                        "cease",
                        _(
                            "%(debtor)s asked to cease communication: only a notice that "
                            "collection is ending or that a remedy may or will be used can "
                            "be sent, and %(template)s is not marked as one.",
                            debtor=partner.name,
                            template=template.name if template else _("this message"),
                        ),
                    )
                )
        optout = OPTOUT_FIELD.get(channel)
        if guard("guard_opt_out") and optout and contacted[optout]:
            blocks.append(
                (
                    "opt_out",
                    _(
                        "%(who)s opted out of collection %(channel)s.",
                        who=contacted.name,
                        channel=dict(CHANNELS)[channel].lower(),
                    ),
                )
            )
        if channel in TIMED_CHANNELS and guard("guard_contact_hours"):
            blocks += [
                ("hours", text) for text in self._hours_blocks(partner, req["company"], policy, now)
            ]
        if channel in FREQUENCY_CHANNELS and guard("guard_call_frequency"):
            blocks += self._check_frequency(
                partner, req["company"], policy, now, call_stats.get(partner.id)
            )
        return blocks

    @api.model
    def _hours_blocks(self, partner, company, policy, now):
        """Why `now` is outside the debtor's contact hours or in one of its stated
        inconvenient times (explanations, empty when it is a good time)."""
        _ = self.env._
        local, zone = self._local_now(partner, company, now)
        minutes = local.hour * 60 + local.minute
        start, end = policy.contact_hour_start, policy.contact_hour_end
        texts = []
        if not round(start * 60) <= minutes <= round(end * 60):
            texts.append(
                _(
                    "It is %(time)s for %(debtor)s (%(zone)s): contact only between "
                    "%(start)s and %(end)s.",
                    time=local.strftime("%H:%M"),
                    debtor=partner.name,
                    zone=zone,
                    start=_float_time(start),
                    end=_float_time(end),
                )
            )
        period = partner.sudo().collection_inconvenient_time_ids._covers(local)
        if period:
            texts.append(
                _(
                    "%(debtor)s said %(start)s-%(end)s is inconvenient%(note)s.",
                    debtor=partner.name,
                    start=_float_time(period.hour_from),
                    end=_float_time(period.hour_to),
                    note=f" ({period.note})" if period.note else "",
                )
            )
        return texts

    @api.model
    def _next_contact_time(self, partner, company, now):
        """The first moment (UTC, naive) from `now` on that is inside the debtor's contact
        hours and outside its inconvenient times, looking a week ahead; None if none."""
        policy = (
            self.env["collection.policy"]._get_partner_policies(partner, company).get(partner.id)
        )
        if not policy or not policy.guard_contact_hours:
            return now
        local, zone = self._local_now(partner, company, now)
        tz = pytz.timezone(zone)
        candidates = []
        for offset in range(8):
            day = (local + timedelta(days=offset)).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            hours = [policy.contact_hour_start] + [
                period.hour_to for period in partner.sudo().collection_inconvenient_time_ids
            ]
            candidates += [day + timedelta(minutes=round(hour * 60)) for hour in hours]
        for moment in sorted(c for c in candidates if c > local):
            utc = tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)
            if not self._hours_blocks(partner, company, policy, utc):
                return utc
        return None

    @api.model
    def _check_frequency(self, partner, company, policy, now, stats):
        """Regulation F counts calendar days in the debtor's time zone (12 CFR
        1006.14(b)(2)): at most `call_max_attempts` calls within the last
        `call_window_days` local dates, today included, and no call on the
        `call_quiet_days` local dates that start with the day of a conversation."""
        _ = self.env._
        if not stats:
            return []
        local, zone = self._local_now(partner, company, now)
        tz = pytz.timezone(zone)
        today = local.date()

        def local_date(moment):
            return pytz.utc.localize(moment).astimezone(tz).date()

        blocks = []
        first_day = today - timedelta(days=clamp(policy.call_window_days, PERIOD_DAYS) - 1)
        attempts = sum(
            1 for date in stats["calls"] if date <= now and local_date(date) >= first_day
        )
        if attempts >= policy.call_max_attempts:
            blocks.append(
                (
                    "frequency",
                    _(
                        "%(debtor)s was already called %(count)s times in the last %(days)s "
                        "days (limit %(limit)s).",
                        debtor=partner.name,
                        count=attempts,
                        days=policy.call_window_days,
                        limit=policy.call_max_attempts,
                    ),
                )
            )
        last_talk = max((date for date in stats["talks"] if date <= now), default=None)
        if last_talk and today < local_date(last_talk) + timedelta(
            days=clamp(policy.call_quiet_days, PERIOD_DAYS)
        ):
            blocks.append(
                (
                    "frequency",
                    _(
                        "We spoke with %(debtor)s on %(date)s: no call for %(days)s days "
                        "after a conversation.",
                        debtor=partner.name,
                        date=format_datetime(self.env, last_talk),
                        days=policy.call_quiet_days,
                    ),
                )
            )
        return blocks

    @api.model
    def _optout_footer(self, company):
        """The opt-out line every collection email carries."""
        return company.collection_optout_text or self.env._(
            "To stop receiving collection emails or texts from us, reply STOP or write to "
            "%s; you can also tell us which channel you prefer.",
            company.email or company.name,
        )
