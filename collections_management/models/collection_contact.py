from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_datetime

from ..tools import (
    COLLECTOR,
    HISTORY_YEARS,
    check_range,
    check_value,
    insert_rows,
    requires_group,
    with_defaults,
    years_around,
)

# How we reach a debtor or it reaches us: the channel of a contact, and of a promise to
# pay made during one. The only list of channels; the contact guards name them too.
CHANNELS = [
    ("phone", "Call"),
    ("email", "Email"),
    ("letter", "Letter"),
    ("sms", "SMS"),
    ("visit", "Visit"),
    ("portal", "Portal Message"),
]
OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No Answer"),
    ("left_message", "Left Message"),
    ("wrong_number", "Wrong Number"),
    ("promise", "Promise Made"),
    ("dispute", "Dispute Raised"),
    ("refused", "Refused to Pay"),
    ("paid", "Paid"),
    ("stop", "Asked to Stop"),
    ("inconvenient", "Said Inconvenient Time"),
    ("sent", "Sent"),
]
# Channels on which the debtor speaks rather than writes: "stop calling me" said there
# opts out of that channel; a request to stop made in writing (any other channel) is a
# request to cease communication (Regulation F, 12 CFR 1006.6(c) and (e)).
ORAL_CHANNELS = ("phone", "visit")
# The debtor's opt-out of each channel that has one (the opt-out guard reads them).
OPTOUT_FIELD = {
    "email": "collection_optout_email",
    "sms": "collection_optout_sms",
    "phone": "collection_optout_phone",
    "visit": "collection_optout_visit",
}
# Who overrode a guard and why: written by the server when a manager overrides.
GUARD_OVERRIDE_FIELDS = ("guard_override_reason", "guard_override_user_id")
# Written by the server when a contact is logged, never afterwards.
SERVER_FIELDS = {*GUARD_OVERRIDE_FIELDS, "communication_id"}
# What happened: fixed once logged; a Collections Manager may correct it, noted on the
# case. The note and the next action stay open to the collector.
FACT_FIELDS = (
    "date",
    "channel",
    "direction",
    "outcome",
    "user_id",
    "case_id",
    "partner_id",
    "company_id",
    "contact_partner_id",
    "contact_name",
)
# Contact records are kept at least this long after the debtor's last contact.
RETENTION_YEARS = 3
# How far ahead of the server's clock a contact may be dated (clocks differ a little; a
# contact is logged once it happened). How far back: tools.HISTORY_YEARS.
FUTURE_TOLERANCE = timedelta(hours=1)


class CollectionContact(models.Model):
    _name = "collection.contact"
    _description = "Collection Contact"
    _order = "date desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    date = fields.Datetime(
        required=True,
        default=fields.Datetime.now,
        index=True,
        help="When the contact happened: at most an hour from now and at most 10 years "
        "ago (records are kept 3 years after the debtor's last contact; older history "
        "may be imported).",
    )
    case_id = fields.Many2one(
        "collection.case", index="btree_not_null", check_company=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        index=True,
        check_company=True,
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Logged By", default=lambda self: self.env.user, index=True
    )
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    direction = fields.Selection(
        [("outbound", "Outbound"), ("inbound", "Inbound")],
        required=True,
        default="outbound",
        help="Outbound: we contacted the debtor (the contact guards apply). Inbound: the "
        "debtor contacted us.",
    )
    outcome = fields.Selection(OUTCOMES, required=True, default="reached")
    contact_partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        help="The person reached or written to: the debtor, one of its contacts, or its lawyer.",
    )
    contact_name = fields.Char(
        string="Spoke To", help="Name of the person spoken to, if not in the address book."
    )
    note = fields.Text()
    next_action_date = fields.Date(
        help="When to act next (within 5 years); also set on the case, which puts it on "
        "the worklist that day."
    )
    communication_id = fields.Many2one(
        "collection.communication",
        string="Follow-up",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        ondelete="set null",
        help="The follow-up run communication that produced this entry.",
    )
    dispute_id = fields.Many2one(
        "collection.dispute", string="Dispute", index="btree_not_null", check_company=True
    )
    guard_override_reason = fields.Char(
        string="Override Reason",
        readonly=True,
        help="Why a manager allowed this call although the frequency guard blocked it.",
    )
    guard_override_user_id = fields.Many2one("res.users", string="Overridden By", readonly=True)
    active = fields.Boolean(
        default=True, help="Only administrators archive contact entries; nobody deletes them."
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("case_id")
    def _compute_partner_id(self):
        for contact in self:
            if contact.case_id:
                contact.partner_id = contact.case_id.partner_id

    @api.depends("case_id")
    def _compute_company_id(self):
        for contact in self:
            case = contact.case_id
            contact.company_id = case.company_id or contact.company_id or self.env.company

    @api.depends("partner_id", "channel", "outcome", "date")
    def _compute_display_name(self):
        channels = dict(CHANNELS)
        outcomes = dict(OUTCOMES)
        for contact in self:
            contact.display_name = (
                f"{contact.partner_id.name or ''}: {channels.get(contact.channel, '')} "
                f"- {outcomes.get(contact.outcome, '')}"
            )

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.model
    def _date_bounds(self):
        now = fields.Datetime.now()
        return now - relativedelta(years=HISTORY_YEARS), now + FUTURE_TOLERANCE

    @api.constrains("date")
    def _check_date(self):
        check_range(self, "date", *self._date_bounds())

    @api.constrains("next_action_date")
    def _check_next_action_date(self):
        check_range(self, "next_action_date", *years_around(fields.Date.context_today(self)))

    @api.constrains("case_id", "partner_id")
    def _check_case_debtor(self):
        for contact in self.filtered("case_id"):
            if contact.partner_id != contact.case_id.partner_id:
                raise ValidationError(
                    self.env._(
                        "A contact of case %(case)s is with its debtor %(debtor)s.",
                        case=contact.case_id.name,
                        debtor=contact.case_id.partner_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        return self._create_entries(vals_list)

    @api.model
    def _create_entries(self, vals_list, guards_checked=False):
        """Log contacts: the guards decide here, on the server, whether each outbound
        contact may happen. A client can only ask for the manager override (context
        key `collection_guard_override`, the reason); whoever calls `create`, the
        guards run. Only server code that already checked them (the follow-up run)
        skips them, by calling this private method with `guards_checked`: a method
        starting with `_` cannot be called over RPC, and a flag in the context could
        be sent by any client."""
        # the guards judge what will be stored, defaults (also from the context) included
        vals_list = with_defaults(self, vals_list)
        # who overrode a guard is set by `_enforce_guards` only, and the communication
        # of an entry by the run only, never by the caller (an explicit False keeps a
        # default from the context out too)
        server_set = GUARD_OVERRIDE_FIELDS if guards_checked else SERVER_FIELDS
        for vals in vals_list:
            vals.update(dict.fromkeys(server_set, False))
        self._fill_open_case(vals_list)
        # the guards judge the moment of the contact: it must be a sane one
        self._collection_check_input(vals_list)
        bounds = self._date_bounds()
        for vals in vals_list:
            date = fields.Datetime.to_datetime(vals.get("date"))
            check_value(self, "date", date, *bounds)
        if guards_checked:
            # the run's entries: one insert, their outcomes carried over like any other's
            contacts = self._insert_entries(vals_list)
            contacts.browse(
                contact.id
                for contact, vals in zip(contacts, vals_list, strict=True)
                if vals.get("next_action_date") or vals["outcome"] in ("stop", "inconvenient")
            )._apply_outcomes(log=False)
            return contacts
        self._enforce_guards(vals_list, self.env.context.get("collection_guard_override"))
        contacts = super().create(vals_list)
        contacts.filtered("guard_override_user_id")._log_overrides()
        contacts._apply_outcomes()
        return contacts

    @api.model
    def _insert_entries(self, vals_list):
        """Write contact entries complete with their defaults, case, debtor and company
        (`_create_entries` fills them) in one insert. The computed debtor and company
        are given (`_fill_open_case`); the company of the case, the debtor and the
        communication is the entry's, as the ORM's company check would require."""
        for vals in vals_list:
            vals.setdefault("company_id", self.env.company.id)
            if not vals.get("partner_id"):
                raise ValidationError(self.env._("A contact entry needs a debtor."))
        related = {
            "case_id": "collection.case",
            "communication_id": "collection.communication",
            "dispute_id": "collection.dispute",
        }
        for fname, model in related.items():
            records = self.env[model].browse({vals[fname] for vals in vals_list if vals.get(fname)})
            company = {record.id: record.company_id.id for record in records}
            if any(
                company[vals[fname]] != vals["company_id"] for vals in vals_list if vals.get(fname)
            ):
                raise ValidationError(
                    self.env._(
                        "A contact entry is in the company of its %s.",
                        self._fields[fname]._description_string(self.env),
                    )
                )
        fnames = sorted(
            {
                name
                for vals in vals_list
                for name in vals
                if self._fields[name].store and self._fields[name].column_type
            }
        )
        booleans = {name for name in fnames if self._fields[name].type == "boolean"}
        rows = [
            tuple(
                vals.get(name) if name in booleans or vals.get(name) is not False else None
                for name in fnames
            )
            for vals in vals_list
        ]
        return insert_rows(self, fnames, rows)

    def _log_overrides(self):
        """Note on their cases who overrode a guard for these contacts, and why."""
        if self:
            self.env["collection.case"]._log_messages(
                {
                    contact.case_id or contact.partner_id: self.env._(
                        "Call-frequency guard overridden by %(user)s: %(reason)s",
                        user=contact.guard_override_user_id.name,
                        reason=contact.guard_override_reason,
                    )
                    for contact in self
                }
            )

    def write(self, vals):
        if fixed := sorted(SERVER_FIELDS & set(vals)):
            raise UserError(
                self.env._(
                    "%s of a contact entry are set when it is logged and cannot be changed.",
                    ", ".join(self._fields[name].string for name in fixed),
                )
            )
        if "active" in vals and not self.env.user.has_group(
            "collections_management.group_collections_admin"
        ):
            raise UserError(
                self.env._("Only a Collections Administrator can archive contact entries.")
            )
        changed = self._changed_facts(vals)
        if not changed:
            return super().write(vals)
        if not (
            self.env.su
            or self.env.user.has_group("collections_management.group_collections_manager")
        ):
            raise UserError(
                self.env._(
                    "A logged contact is a record of what happened: its %s cannot be "
                    "changed. Add to its note instead, or ask a Collections Manager to "
                    "correct it.",
                    ", ".join(
                        dict.fromkeys(
                            self._fields[name]._description_string(self.env)
                            for names in changed.values()
                            for name in names
                        )
                    ),
                )
            )
        before = {
            contact: (contact.case_id or contact.partner_id, contact._fact_labels(names))
            for contact, names in changed.items()
        }
        overridden = self._recheck_guards(vals, changed)
        result = super().write(vals)
        if overridden:
            # set by the server, like on create: the caller cannot write these fields
            super(CollectionContact, overridden).write(
                {
                    "guard_override_reason": self.env.context["collection_guard_override"].strip(),
                    "guard_override_user_id": self.env.user.id,
                }
            )
            overridden._log_overrides()
        self._log_corrections(before)
        return result

    def _recheck_guards(self, vals, changed):
        """A correction of when, how or in which direction an outbound contact happened
        is judged by the guards on the new values, as the contact would have been when
        logged: a correction that would break one is refused (or, for the call-frequency
        guard, needs a manager's override reason). The corrected contacts themselves do
        not count as earlier calls. Returns the contacts whose override is to be noted."""
        moved = self.browse(
            contact.id
            for contact, names in changed.items()
            if set(names) & {"date", "channel", "direction"}
        )
        if not moved:
            return moved
        keys = ("date", "channel", "direction", "case_id", "partner_id", "company_id")
        keys += ("contact_partner_id",)
        todo = []
        for contact in moved:
            new = {key: vals[key] if key in vals else contact[key] for key in keys}
            new = {
                key: value.id if isinstance(value, models.BaseModel) else value
                for key, value in new.items()
            }
            new["id"] = contact.id
            if new["direction"] == "outbound":
                todo.append(new)
        overridden = self._enforce_guards(
            todo, self.env.context.get("collection_guard_override"), exclude=moved
        )
        return self.browse(vals["id"] for vals in overridden)

    @api.ondelete(at_uninstall=False)
    def _unlink_never_within_retention(self):
        """Contact records are evidence: collectors and managers cannot delete them
        (access rights), and even an administrator cannot before the retention period
        after the debtor's last contact has passed: archive them instead."""
        if not self.env.user.has_group("collections_management.group_collections_admin"):
            raise UserError(
                self.env._(
                    "Contact entries cannot be deleted: they are the record of what was "
                    "said to the debtor. An administrator can archive them."
                )
            )
        last = dict(
            self.with_context(active_test=False)._read_group(
                [("partner_id", "in", self.partner_id.ids)], ["partner_id"], ["date:max"]
            )
        )
        limit = fields.Datetime.now() - relativedelta(years=RETENTION_YEARS)
        kept = self.filtered(lambda c: last.get(c.partner_id, c.date) > limit)
        if kept:
            raise UserError(
                self.env._(
                    "Contact records are kept at least %(years)s years after the debtor's "
                    "last contact (%(debtors)s): archive them instead of deleting them.",
                    years=RETENTION_YEARS,
                    debtors=", ".join(kept.partner_id.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _changed_facts(self, vals):
        """{contact: names of the facts `vals` would change on it}."""
        names = [name for name in FACT_FIELDS if name in vals]
        changed = {}
        for contact in self:
            for name in names:
                field = self._fields[name]
                try:
                    new = field.convert_to_cache(vals[name], contact)
                    new = field.convert_to_record(new, contact)
                except (ValueError, TypeError):
                    new = None  # not a value of the field: a change (the ORM says why)
                if new != contact[name]:
                    changed.setdefault(contact, []).append(name)
        return changed

    def _fact_labels(self, names):
        """{field name: the value shown to a person} of this contact."""
        self.ensure_one()
        labels = {}
        for name in names:
            field, value = self._fields[name], self[name]
            if field.type == "selection":
                value = dict(field._description_selection(self.env)).get(value)
            elif field.type == "many2one":
                value = value.display_name
            elif field.type == "datetime":
                value = value and format_datetime(self.env, value)
            labels[name] = value or "-"
        return labels

    def _log_corrections(self, before):
        """Note each correction of a logged contact on its case (or debtor): what it
        was, what it is, who corrected it; on both cases when it moved to another.
        `before` maps a contact to its case (or debtor) and its labels before."""
        notes = []
        for contact, (old_thread, old) in before.items():
            new = contact._fact_labels(old)
            body = self.env._(
                "Contact of %(date)s corrected by %(user)s: %(changes)s.",
                date=contact._fact_labels(["date"])["date"],
                user=self.env.user.name,
                changes="; ".join(
                    f"{self._fields[name]._description_string(self.env)}: "
                    f"{old[name]} → {new[name]}"
                    for name in old
                ),
            )
            for thread in dict.fromkeys((old_thread, contact.case_id or contact.partner_id)):
                notes.append((thread, body))
        self.env["collection.case"]._log_messages(notes)

    @api.model
    def _fill_open_case(self, vals_list):
        """A contact logged for a debtor goes on its open case (one search for all); a
        contact logged on a case is with the case's debtor, in the case's company (the
        guards are those of the case's debtor)."""
        cases = self.env["collection.case"].browse(
            {vals["case_id"] for vals in vals_list if vals.get("case_id")}
        )
        for vals in vals_list:
            if vals.get("case_id"):
                case = cases.browse(vals["case_id"])
                vals.update(partner_id=case.partner_id.id, company_id=case.company_id.id)
        todo = [vals for vals in vals_list if vals.get("partner_id") and not vals.get("case_id")]
        if not todo:
            return
        partners = self.env["res.partner"].browse({vals["partner_id"] for vals in todo})
        cases = self.env["collection.case"].search(
            [("partner_id", "in", partners.commercial_partner_id.ids), ("is_open", "=", True)]
        )
        by_key = {(case.partner_id.id, case.company_id.id): case.id for case in cases}
        for vals in todo:
            partner = partners.browse(vals["partner_id"]).commercial_partner_id
            vals["partner_id"] = partner.id
            company_id = vals.get("company_id") or self.env.company.id
            if (partner.id, company_id) in by_key:
                vals["case_id"] = by_key[partner.id, company_id]

    @api.model
    def _guard_requests(self, vals_list):
        """Guard requests of the outbound contacts about to be created (from vals)."""
        cases = self.env["collection.case"].browse(
            {vals["case_id"] for vals in vals_list if vals.get("case_id")}
        )
        case_partner = {case.id: case.partner_id for case in cases}
        Partner = self.env["res.partner"]
        requests = []
        for vals in vals_list:
            debtor = case_partner.get(vals.get("case_id")) or Partner.browse(vals.get("partner_id"))
            requests.append(
                {
                    "partner": debtor.commercial_partner_id,
                    "channel": vals.get("channel") or "phone",
                    "company": self.env["res.company"].browse(
                        vals.get("company_id") or self.env.company.id
                    ),
                    "contact_partner": Partner.browse(vals.get("contact_partner_id")),
                    "at": fields.Datetime.to_datetime(vals.get("date")) or fields.Datetime.now(),
                }
            )
        return requests

    @api.model
    def _enforce_guards(self, vals_list, override_reason=None, exclude=None):
        """Refuse outbound contacts the guards block, explaining why, before anything
        is written. A manager may override the call-frequency guard (a presumption in
        law) with a reason, which is stored on the contact. Returns the overridden vals.
        `exclude`: contacts being corrected, which do not count as earlier calls."""
        outbound = [vals for vals in vals_list if vals.get("direction", "outbound") == "outbound"]
        if not outbound:
            return []
        # a reason is text with something in it, whatever a client sends
        if isinstance(override_reason, str):
            override_reason = override_reason.strip() or None
        else:
            override_reason = None
        results = self.env["collection.contact.guard"]._check(
            self._guard_requests(outbound), exclude_ids=exclude.ids if exclude else ()
        )
        is_manager = self.env.user.has_group("collections_management.group_collections_manager")
        overridden = []
        for vals, blocks in zip(outbound, results, strict=True):
            if not blocks:
                continue
            hard = [text for code, text in blocks if code != "frequency"]
            soft = [text for code, text in blocks if code == "frequency"]
            if hard or not (override_reason and is_manager):
                hint = ""
                if not hard and not is_manager:
                    hint = self.env._(" A Collections Manager may override with a reason.")
                elif not hard:
                    hint = self.env._(" Give an override reason to log it anyway.")
                raise UserError(
                    self.env._("This contact is not allowed now:")
                    + "\n- "
                    + "\n- ".join(hard + soft)
                    + hint
                )
            vals["guard_override_reason"] = override_reason
            vals["guard_override_user_id"] = self.env.user.id
            overridden.append(vals)
        return overridden

    def _apply_outcomes(self, log=True):
        """Carry the outcome over: the next action date to the case, a request to stop
        to the debtor (see `_apply_stop_requests`), a time said inconvenient to the
        debtor's inconvenient times, and (with `log`) a note in the case's chatter."""
        for date, contacts in self.filtered("next_action_date").grouped("next_action_date").items():
            contacts.case_id.write({"next_action_date": date})
        self.filtered(lambda c: c.outcome == "stop")._apply_stop_requests()
        self.filtered(lambda c: c.outcome == "inconvenient")._record_inconvenient_times()
        if not log:
            return  # entries of a follow-up run: the run writes its own notes
        channels = dict(CHANNELS)
        outcomes = dict(OUTCOMES)
        self.env["collection.case"]._log_messages(
            {
                contact.case_id or contact.partner_id: self.env._(
                    "%(direction)s %(channel)s: %(outcome)s%(who)s. %(note)s",
                    direction=dict(self._fields["direction"].selection)[contact.direction],
                    channel=channels[contact.channel].lower(),
                    outcome=outcomes[contact.outcome],
                    who=f" ({contact.contact_partner_id.name or contact.contact_name})"
                    if contact.contact_partner_id or contact.contact_name
                    else "",
                    note=contact.note or "",
                )
                for contact in self
            }
        )

    def _apply_stop_requests(self):
        """A request to stop binds everyone, whoever logged it. Made in writing, it is
        a request to cease communication; said during a call or visit, it opts the
        debtor out of that channel only."""
        written = self.filtered(lambda c: c.channel not in ORAL_CHANNELS)
        cease = written.partner_id.commercial_partner_id.filtered(lambda p: not p.collection_cease)
        cease.sudo().write(
            {"collection_cease": True, "collection_cease_date": fields.Date.context_today(self)}
        )
        for channel, contacts in (self - written).grouped("channel").items():
            optout = OPTOUT_FIELD[channel]
            debtors = contacts.partner_id.commercial_partner_id
            debtors.filtered(lambda p, optout=optout: not p[optout]).sudo().write({optout: True})

    def _record_inconvenient_times(self):
        """The debtor said the time of this contact is inconvenient: that hour of that
        weekday, in the debtor's time zone, joins its inconvenient times."""
        Guard = self.env["collection.contact.guard"]
        rows = []
        for contact in self:
            debtor = contact.partner_id.commercial_partner_id
            local, _tz = Guard._local_now(debtor, contact.company_id, contact.date)
            rows.append(
                {
                    "partner_id": debtor.id,
                    "dayofweek": str(local.weekday()),
                    "hour_from": local.hour,
                    "hour_to": local.hour + 1,
                    "note": self.env._(
                        "Said during the contact of %s.", format_datetime(self.env, contact.date)
                    ),
                }
            )
        # the debtor's word binds everyone, whoever logged it
        self.env["collection.inconvenient.time"].sudo().create(rows)

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(COLLECTOR, "read")
    def action_view_case(self):
        self.ensure_one()
        return self.case_id._get_records_action(context={})
