import ast
import io
import logging
import re
from collections import defaultdict, namedtuple
from itertools import pairwise

from lxml import html
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import (
    SQL,
    email_normalize,
    float_round,
    format_amount,
    format_datetime,
    get_lang,
)
from odoo.tools.pdf import PdfReader, PdfWriter

from odoo.addons.base.models.res_lang import intersperse

from ..tools import (
    COLLECTOR,
    MANAGER,
    PERIOD_DAYS,
    clamp,
    insert_messages,
    insert_rows,
    link_each,
    requires_group,
    upsert_rows,
    write_each,
)
from .collection_contact import CHANNELS, OPTOUT_FIELD

_logger = logging.getLogger(__name__)
LETTER_REFERENCE = re.compile(r"/FU-(\d+)$")

# One invoice of a follow-up email's table, as plain values (see `_email_invoice_rows`)
InvoiceRow = namedtuple(
    "InvoiceRow", ["number", "date_maturity", "days_overdue", "amount_residual"]
)

# Stages a follow-up level may move a case out of; a case being handled otherwise
# (promise, plan, dispute, agency, legal) keeps its stage.
FOLLOWUP_STAGE_TYPES = ("open", "reminder", "contact")


def _page_references(page):
    """Communication ids named by the letter-reference links of a PDF page."""
    for annotation in page.get("/Annots") or []:
        action = annotation.get_object().get("/A") or {}
        match = LETTER_REFERENCE.search(str(action.get("/URI") or ""))
        if match:
            yield int(match.group(1))


def split_pdf_by_reference(pdf, communication_ids):
    """Split a printed batch of letters into one PDF per communication (bytes, in the
    order of `communication_ids`): a letter starts at the page whose reference link
    names it ("https://letter.invalid/FU-<id>")."""
    reader = PdfReader(io.BytesIO(pdf))
    starts = {}
    for number, page in enumerate(reader.pages):
        for communication_id in _page_references(page):
            starts.setdefault(communication_id, number)
    missing = [cid for cid in communication_ids if cid not in starts]
    if missing or sorted(starts.values()) != sorted(set(starts.values())):
        raise ValueError(f"letters {missing} not found in the printed batch")
    ordered = sorted(starts.items(), key=lambda item: item[1])
    bounds = {
        cid: (start, end)
        for (cid, start), (_next, end) in pairwise([*ordered, (None, len(reader.pages))])
    }
    parts = []
    for cid in communication_ids:
        writer = PdfWriter()
        for page in range(*bounds[cid]):
            writer.add_page(reader.pages[page])
        stream = io.BytesIO()
        writer.write(stream)
        parts.append(stream.getvalue())
    return parts


class CollectionCommunication(models.Model):
    """What a follow-up run proposes and sends to a debtor. Everything on it is the
    run's work: nobody writes one by hand (read-only access rights); the run's actions
    check their caller, then work as the scheduler does."""

    _name = "collection.communication"
    _description = "Follow-up Communication"
    _order = "id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    run_id = fields.Many2one(
        "collection.run", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Debtor", required=True, index=True, check_company=True
    )
    case_id = fields.Many2one("collection.case", index="btree_not_null", check_company=True)
    user_id = fields.Many2one(related="case_id.user_id", string="Collector")
    level_id = fields.Many2one("collection.level", required=True, check_company=True)
    policy_id = fields.Many2one(related="level_id.policy_id")
    line_ids = fields.One2many(
        "collection.communication.line", "communication_id", string="Invoices"
    )
    amount_total = fields.Monetary(string="Amount Due", help="Sum of the invoices listed.")
    amount_overdue = fields.Monetary(string="Overdue")
    date = fields.Date(required=True, index=True, help="The date of the run.")
    state = fields.Selection(
        [
            ("draft", "To Do"),
            ("sent", "Sent"),
            ("manual", "Manual Action"),
            ("failed", "Failed"),
            ("blocked", "Blocked by Guard"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        index=True,
        help="To Do: proposed by the run, nothing sent yet. Sent: email queued and/or "
        "letter produced. Manual Action: an activity asks the collector to act. Failed: "
        "nothing could be sent, see the error; the next run tries again. Blocked: a "
        "contact guard (hours, cease, opt-out, lawyer...) stopped it, see the error; the "
        "next run tries again.",
    )
    action_summary = fields.Char(string="Actions", compute="_compute_action_summary")
    mail_id = fields.Many2one("mail.mail", string="Email", readonly=True, index="btree_not_null")
    email_state = fields.Selection(
        [("none", "No Email"), ("queued", "Queued"), ("sent", "Sent"), ("failed", "Failed")],
        compute="_compute_email_state",
        help="Read from the email itself, so that the mail queue never has to write on "
        "communications (and never conflicts with the letters being printed).",
    )
    letter_state = fields.Selection(
        [
            ("none", "No Letter"),
            ("to_render", "To Print"),
            ("done", "Printed"),
            ("failed", "Failed"),
        ],
        default="none",
        readonly=True,
        index=True,
    )
    letter_attachment_id = fields.Many2one("ir.attachment", string="Letter", readonly=True)
    error = fields.Text(readonly=True)

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("level_id")
    def _compute_action_summary(self):
        for communication in self:
            communication.action_summary = ", ".join(communication.level_id._get_action_labels())

    @api.depends("mail_id.state", "state", "error")
    def _compute_email_state(self):
        by_mail_state = {"outgoing": "queued", "sent": "sent", "received": "sent"}
        # Outgoing mails are readable by administrators only: their state is not secret.
        for communication, communication_sudo in zip(self, self.sudo(), strict=True):
            if communication_sudo.mail_id:
                communication.email_state = by_mail_state.get(
                    communication_sudo.mail_id.state, "failed"
                )
            elif communication.error and communication.level_id.send_email:
                communication.email_state = "failed"
            else:
                communication.email_state = "none"

    @api.depends("partner_id", "level_id")
    def _compute_display_name(self):
        for communication in self:
            communication.display_name = (
                f"{communication.partner_id.name or ''} - {communication.level_id.name or ''}"
            )

    # ------------------------------------------------------------------
    # Business methods: executing a batch
    # ------------------------------------------------------------------
    def _execute(self):
        """Carry out these draft communications: emails queued, letters queued for
        printing, activities created, levels and stages advanced, chatter logged.

        Works per batch: the number of queries depends on the number of levels and
        templates involved, not on the number of debtors or invoices."""
        todo = self.filtered(lambda c: c.state == "draft")
        if not todo:
            return
        # what the steps read of the lines and their invoices, one query each: the
        # ORM's prefetch reads 1,000 records at a time, so the count would grow with
        # the number of invoices in the batch
        todo.line_ids.fetch()
        todo.line_ids.move_id.fetch(["name"])
        manual = todo.filtered(lambda c: c.level_id.mode == "manual")
        automatic = todo - manual
        barred = automatic._block_time_barred()
        automatic -= barred
        blocked, deferred = automatic._apply_contact_guards()
        automatic -= blocked
        todo -= blocked
        failed = automatic._queue_emails(deferred) | barred
        failed |= (automatic - failed).filtered(lambda c: c.level_id.send_sms)._queue_sms()
        done = todo - failed
        letters = (automatic - failed).filtered(lambda c: c.level_id.send_letter)
        letters._write_system("letter_state", "to_render")
        activity_for = manual | done.filtered(lambda c: c.level_id.create_activity)
        activity_for._create_followup_activities()
        manual._write_system("state", "manual")
        (automatic - failed)._write_system("state", "sent")
        (automatic - failed).filtered(lambda c: c.level_id.fee_ids)._bill_level_fees()
        (automatic - failed).filtered(lambda c: c.level_id.claim_interest)._claim_level_interest()
        done._advance_levels()
        (automatic - failed)._create_contact_entries()
        (todo | blocked)._log_on_chatter()
        if letters:
            self.env.ref("collections_management.ir_cron_collection_letters")._trigger()

    def _write_system(self, fname, value):
        """Set a field the run moves on (state, letter state) for a whole batch in one
        statement: the ORM's flush writes 100 records per statement."""
        write_each(self, [fname], [(communication.id, value) for communication in self])

    def _block_time_barred(self):
        """Communications whose level threatens legal action for a time-barred debt:
        nothing is sent; they fail with the reason (kept on the communication and logged
        on the case) and the invoices keep their level. While the debt stays time-barred,
        the next runs skip that level for the debtor (`collection.run.
        _time_barred_refused_levels`); a corrected limitation table lets them send it."""
        threatening = self.filtered(lambda c: c.level_id.threatens_legal_action and c.case_id)
        barred = threatening.filtered(lambda c: c.case_id.is_time_barred)
        groups = barred.grouped(lambda c: (c.level_id, c.case_id.limitation_date))
        for (level, date), communications in groups.items():
            communications.write(
                {
                    "state": "failed",
                    "error": self.env._(
                        "Not sent: level %(level)s threatens legal action and the debt is "
                        "time-barred since %(date)s. The next runs skip this level and go on "
                        "with the others.",
                        level=level.name,
                        date=date,
                    ),
                }
            )
        return barred

    def _queue_emails(self, deferred=None):
        """Create the mail.mail of each communication whose level sends email, in bulk.
        `deferred` maps a communication id to the time its email may leave (outside
        contact hours the mail queue holds it until then).

        Returns the communications that failed (no valid address): they keep their
        level, so that the next run tries again."""
        deferred = deferred or {}
        to_email = self.filtered(lambda c: c.level_id.send_email and c.level_id.mail_template_id)
        invalid = to_email.filtered(lambda c: not email_normalize(c.partner_id.email or ""))
        invalid.error = self.env._("The debtor has no valid email address.")
        to_email -= invalid
        # A letter still goes out when its email cannot: only email-only levels fail whole.
        failed = invalid.filtered(lambda c: not c.level_id.send_letter)
        failed.state = "failed"
        note = self.env.ref("mail.mt_note")
        # Replies go to the case's thread: reply-to addresses computed once per batch.
        without_case = to_email.filtered(lambda c: not c.case_id)
        reply_to = {
            "collection.case": to_email.case_id._notify_get_reply_to(),
            "res.partner": without_case.partner_id._notify_get_reply_to(),
        }
        # the bodies print the debtor's portal link: its tokens made in one statement
        to_email.case_id._ensure_portal_tokens()
        for template, communications in to_email.grouped(
            lambda c: c.level_id.mail_template_id
        ).items():
            rendered = template._generate_template(communications.ids, ["subject", "email_from"])
            bodies = communications._render_email_bodies(template)
            bodies = communications._add_optout_line(bodies)
            messages, mails = [], []
            for communication in communications:
                values = rendered[communication.id]
                thread = communication.case_id or communication.partner_id
                email_from = (
                    values.get("email_from")
                    or communication.company_id.email_formatted
                    or self.env.user.email_formatted
                )
                messages.append(
                    {
                        "subject": values.get("subject"),
                        "body": bodies[communication.id],
                        "email_from": email_from,
                        "reply_to": reply_to[thread._name].get(thread.id) or email_from,
                        "model": thread._name,
                        "res_id": thread.id,
                        "message_type": "email_outgoing",
                        "subtype_id": note.id,
                        "is_internal": False,
                        "author_id": self.env.user.partner_id.id,
                        "record_company_id": communication.company_id.id,
                    }
                )
                mails.append((bodies[communication.id], deferred.get(communication.id)))
            mails = self._insert_mails(messages, mails)
            communications._link_each("mail_id", mails)
            link_each(mails, "recipient_ids", [c.partner_id for c in communications])
        return failed

    @api.model
    def _insert_mails(self, messages, mails):
        """The outgoing emails: their messages (`insert_messages`) and their mail.mail
        rows ((body, scheduled date) per message), in two statements. Bodies are the
        run's own QWeb output, stored without the sanitizer's pass."""
        messages = insert_messages(self.env, messages)
        return insert_rows(
            self.env["mail.mail"].sudo(),
            ["mail_message_id", "body_html", "state", "auto_delete", "is_notification",
             "scheduled_date"],
            [
                (message.id, str(body), "outgoing", False, False, scheduled or None)
                for message, (body, scheduled) in zip(messages, mails, strict=True)
            ],
        )  # fmt: skip

    @api.model
    def mail_allowed_qweb_expressions(self):
        """The plain field paths of the follow-up templates' subject, sender and language:
        Odoo renders a template made only of allowed paths without `safe_eval`, which
        compiles each expression anew for each record."""
        return (
            *super().mail_allowed_qweb_expressions(),
            "object.company_id.name",
            "object.company_id.email_formatted",
            "object.partner_id.lang",
        )

    def _guard_requests(self):
        """One guard request per channel a communication uses (email, letter, SMS)."""
        requests, owners = [], []
        for communication in self:
            level = communication.level_id
            channels = []
            if level.send_email and level.mail_template_id:
                channels.append("email")
            if level.send_letter:
                channels.append("letter")
            if level.send_sms and level.sms_template_id:
                channels.append("sms")
            for channel in channels:
                requests.append(
                    {
                        "partner": communication.partner_id,
                        "channel": channel,
                        "company": communication.company_id,
                        "template": level.mail_template_id,
                    }
                )
                owners.append(communication)
        return requests, owners

    def _apply_contact_guards(self):
        """Check the contact guards before anything is sent.

        An email that only falls outside the debtor's contact hours (or in one of its
        inconvenient times) is not blocked: it is queued for the next good moment. Any
        other guard blocks the communication, with the reason on the communication, the
        case and the run; its invoices keep their level, so that the next run proposes
        it again. Returns (blocked communications, {communication id: send time})."""
        requests, owners = self._guard_requests()
        Guard = self.env["collection.contact.guard"]
        now = fields.Datetime.now()
        results = Guard._check(requests, now=now)
        reasons, deferred = {}, {}
        for communication, request, blocks in zip(owners, requests, results, strict=True):
            if not blocks:
                continue
            if request["channel"] == "email" and all(code == "hours" for code, _t in blocks):
                when = Guard._next_contact_time(request["partner"], request["company"], now)
                if when:
                    deferred[communication.id] = when
                    continue
            reasons.setdefault(communication, []).extend(text for _code, text in blocks)
        if deferred:
            self.env["collection.case"]._log_messages(
                {
                    communication.case_id or communication.partner_id: self.env._(
                        "Outside the debtor's contact hours: the email of level %(level)s "
                        "is held by the mail queue until %(time)s.",
                        level=communication.level_id.name,
                        time=format_datetime(
                            self.env, deferred[communication.id], tz=communication.partner_id.tz
                        ),
                    )
                    for communication in self.browse(list(deferred))
                }
            )
        blocked = self.browse([communication.id for communication in reasons])
        by_error = {}
        for communication, texts in reasons.items():
            by_error.setdefault(" ".join(dict.fromkeys(texts)), []).append(communication.id)
        for error, ids in by_error.items():
            self.browse(ids).write({"state": "blocked", "error": error})
        if blocked:
            self.env["collection.case"]._log_messages(
                {
                    run: self.env._(
                        "%(count)s communication(s) blocked by contact guards and left for "
                        "the next run: %(details)s",
                        count=len(communications),
                        details="; ".join(
                            f"{c.partner_id.name}: {c.error}" for c in communications
                        ),
                    )
                    for run, communications in blocked.grouped("run_id").items()
                }
            )
        return blocked, deferred

    def _add_optout_line(self, bodies):
        """Every collection email ends with the company's opt-out line; a consumer
        debtor's also with a link per channel that opts it out of that channel
        (Regulation F 1006.6(e)), on its page of the customer portal."""
        Guard = self.env["collection.contact.guard"]
        lines = {
            company: Markup('<p style="font-size: 11px; color: #777;">%s</p>')
            % Guard._optout_footer(company)
            for company in self.company_id
        }
        return {
            communication.id: Markup(bodies[communication.id])
            + lines[communication.company_id]
            + communication._optout_links()
            for communication in self
        }

    def _optout_links(self):
        """The opt-out link of each channel, for a consumer debtor's email."""
        self.ensure_one()
        if self.policy_id.debtor_type != "consumer" or not self.case_id:
            return Markup()
        link = self.case_id._portal_link()
        base, _sep, query = link.partition("?")
        labels = dict(CHANNELS)
        links = Markup(" | ").join(
            Markup('<a href="%s/optout/%s?%s">%s</a>')
            % (base, channel, query, self.env._("Stop %s", labels[channel].lower()))
            for channel in OPTOUT_FIELD
        )
        return Markup('<p style="font-size: 11px; color: #777;">%s %s</p>') % (
            self.env._("Choose how we may contact you:"),
            links,
        )

    def _create_contact_entries(self):
        """The contact log records what each communication sent (its email or letter,
        and its text), in one insert. The run checked the guards of these contacts
        before sending."""
        entries = []
        for communication in self:
            level = communication.level_id.name
            if communication.mail_id or communication.level_id.send_letter:
                channel = "email" if communication.mail_id else "letter"
                note = self.env._(
                    "Follow-up level %(level)s: %(actions)s",
                    level=level,
                    actions=communication.action_summary,
                )
                entries.append(communication._contact_entry_values(channel, note))
            if communication.sms_number:
                note = self.env._(
                    "Follow-up level %(level)s: SMS to %(number)s",
                    level=level,
                    number=communication.sms_number,
                )
                entries.append(communication._contact_entry_values("sms", note))
        self.env["collection.contact"]._create_entries(entries, guards_checked=True)

    def _contact_entry_values(self, channel, note):
        self.ensure_one()
        return {
            "case_id": self.case_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "channel": channel,
            "direction": "outbound",
            "outcome": "sent",
            "communication_id": self.id,
            "note": note,
        }

    def _link_each(self, field_name, targets):
        """Set many2one `field_name` of each record to the target at the same position,
        in one statement (a write per record would be a query per record)."""
        write_each(
            self,
            [field_name],
            [(record.id, target.id) for record, target in zip(self, targets, strict=True)],
        )

    def _render_email_bodies(self, template):
        """{communication id: email body} rendered with one QWeb call per language.

        mail.template compiles its body anew for every record (10 ms each); wrapped in
        a loop over the batch, it is compiled once and the output is cut per record."""
        bodies = {}
        separator = "\x1d"  # ASCII group separator: no template outputs it
        for lang, communications in self.grouped(
            lambda c: c.partner_id.lang or self.env.lang or "en_US"
        ).items():
            localized = template.with_context(lang=lang)
            source = localized.body_html or ""
            loop = html.fragment_fromstring(
                f'<t t-foreach="objects" t-as="object">{source}<t t-out="separator"/></t>',
                create_parent="div",
            )
            variables = localized._render_eval_context()
            variables.update(
                objects=communications.with_context(lang=lang),
                separator=separator,
                **self._batch_formatters(localized.env, variables["format_date"]),
            )
            output = str(self.env["ir.qweb"].with_context(lang=lang)._render(loop, variables))
            parts = output[len("<div>") : -len("</div>")].split(separator)
            for communication, body in zip(communications, parts, strict=False):
                bodies[communication.id] = Markup(localized._replace_local_links(body))
        return bodies

    @api.model
    def _batch_formatters(self, env, format_date):
        """`format_date` and `format_amount` for rendering a batch in `env`: what the
        template's own give, each date formatted once per batch (the invoice rows of a
        batch share their due dates) and the language and currency of an amount looked
        up once per batch rather than once per invoice row."""
        dates = {}

        def batch_format_date(value, date_format=False, lang_code=False):
            key = (value, date_format, lang_code)
            try:
                if key not in dates:
                    dates[key] = format_date(value, date_format, lang_code)
                return dates[key]
            except TypeError:  # not hashable: formatted each time
                return format_date(value, date_format, lang_code)

        amount_formats = {}

        def batch_format_amount(amount, currency, lang_code=False):
            if not isinstance(currency, models.BaseModel) or len(currency) != 1:
                return format_amount(env, amount, currency, lang_code)
            key = (currency.id, lang_code)
            if key not in amount_formats:
                # tools.format_amount, its lookups done once
                # and res.lang.format's: its separators and grouping read once
                symbol = currency.symbol or ""
                lang = env["res.lang"]._get_data(id=get_lang(env, lang_code).id)
                amount_formats[key] = (
                    f"%.{currency.decimal_places}f",
                    currency.rounding,
                    lang.decimal_point,
                    ast.literal_eval(lang.grouping),
                    lang.thousands_sep or "",
                    f"{symbol}\N{NO-BREAK SPACE}" if currency.position == "before" else "",
                    f"\N{NO-BREAK SPACE}{symbol}" if currency.position != "before" else "",
                )
            fmt, rounding, decimal_point, grouping, thousands_sep, pre, post = amount_formats[key]
            parts = (fmt % float_round(amount, precision_rounding=rounding)).split(".")
            parts[0] = intersperse(parts[0], grouping, thousands_sep)[0]
            formatted = (
                decimal_point.join(parts)
                .replace(" ", "\N{NO-BREAK SPACE}")
                .replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
            )
            return f"{pre}{formatted}{post}"

        return {"format_date": batch_format_date, "format_amount": batch_format_amount}

    def _email_invoice_rows(self):
        """{communication id: [InvoiceRow]}: the invoices each email lists, in the
        order of `line_ids`, as plain values read in one query. The templates list
        them through `followup_invoices(object)` (`mail.render.mixin`): read as
        records, each row would cost several ORM field reads."""
        self.check_access("read")
        if not self.ids:
            return {}
        self.env["collection.communication.line"].flush_model(
            ["communication_id", "move_id", "date_maturity", "days_overdue", "amount_residual"]
        )
        self.env["account.move"].flush_model(["name"])
        rows = defaultdict(list)
        for communication_id, *values in self.env.execute_query(
            SQL(
                """
                SELECT line.communication_id, COALESCE(move.name, ''), line.date_maturity,
                       line.days_overdue, line.amount_residual
                  FROM collection_communication_line line
                  JOIN account_move move ON move.id = line.move_id
                 WHERE line.communication_id IN %s
              ORDER BY line.date_maturity, line.id
                """,
                tuple(self.ids),
            )
        ):
            rows[communication_id].append(InvoiceRow(*values))
        return rows

    def _create_followup_activities(self):
        values_by_case = {}
        for communication in self.filtered("case_id"):
            level = communication.level_id
            values = {
                "summary": level.activity_summary
                or self.env._("Follow-up level %s reached", level.name),
                "date_deadline": fields.Date.add(
                    communication.run_id.date,
                    days=clamp(level.activity_deadline_days, PERIOD_DAYS),
                ),
            }
            if level.activity_type_id:
                values["activity_type_id"] = level.activity_type_id.id
            values_by_case[communication.case_id] = values
        self.env["collection.case"]._schedule_activities(values_by_case)

    def _advance_levels(self):
        """Record for each invoice the level it reached (in its follow-up state, not on
        the invoice) and on each case its level (one statement each, untracked as
        before) and stage (one write per level)."""
        lines = self.line_ids.filtered("level_id")
        date = self[:1].run_id.date
        upsert_rows(
            self.env["collection.invoice.state"],
            "move_id",
            ["move_id", "company_id", "level_id", "level_date"],
            [(line.move_id.id, line.company_id.id, line.level_id.id, date) for line in lines],
        )
        self.env["account.move"].invalidate_model(
            ["collection_level_id", "collection_level_date"], flush=False
        )
        with_case = self.filtered("case_id")
        write_each(
            self.env["collection.case"],
            ["level_id", "last_followup_date"],
            [(c.case_id.id, c.level_id.id, date) for c in with_case],
        )
        for level, communications in with_case.grouped("level_id").items():
            cases = communications.case_id
            if level.stage_id:
                movable = cases.filtered(lambda c: c.stage_type in FOLLOWUP_STAGE_TYPES)
                movable.with_context(mail_notrack=True).write({"stage_id": level.stage_id.id})

    def _log_on_chatter(self):
        """One note per communication on the case (or debtor) and the debtor."""
        bodies = {}
        for communication in self:
            level = communication.level_id
            if communication.state == "blocked":
                text = self.env._(
                    "Follow-up level %(level)s not sent, blocked by a contact guard: "
                    "%(error)s The next run tries again.",
                    level=level.name,
                    error=communication.error,
                )
            elif communication.state == "failed":
                text = self.env._(
                    "Follow-up level %(level)s not sent: %(error)s",
                    level=level.name,
                    error=communication.error,
                )
            elif communication.state == "manual":
                text = self.env._(
                    "Follow-up level %(level)s reached (manual): an activity was created "
                    "for the collector; nothing was sent.",
                    level=level.name,
                )
            else:
                text = self.env._(
                    "Follow-up level %(level)s reached: %(actions)s for %(count)s invoice(s).",
                    level=level.name,
                    actions=communication.action_summary,
                    count=len(communication.line_ids),
                )
            bodies[communication] = text
        by_thread = {}
        for communication, text in bodies.items():
            # the queued email is itself a message in the case's chatter
            if communication.case_id and not communication.mail_id:
                by_thread[communication.case_id] = text
            by_thread[communication.partner_id] = text
        self.env["collection.case"]._log_messages(by_thread)

    def _bill_level_fees(self):
        """Levels that charge a fee: bill it on these sent communications, once per
        debtor's case and level (or invoice and level)."""
        self.env["collection.dunning.fee"]._bill(self)

    def _claim_level_interest(self):
        """Levels that claim interest: the claims of these communications' cases up to
        the run's date. A case whose reference rates are missing is billed nothing; the
        reason goes on the communication and the case, and the run goes on."""
        Claim = self.env["collection.interest.claim"]
        for date, communications in (
            self.filtered("case_id").grouped(lambda c: c.run_id.date).items()
        ):
            _claims, errors = Claim._claim(communications.case_id, date, communications)
            failed = communications.filtered(lambda c, errors=errors: c.case_id in errors)
            for communication in failed:
                communication.error = self.env._(
                    "Interest not claimed: %s", errors[communication.case_id]
                )
            self.env["collection.case"]._log_messages(
                {communication.case_id: communication.error for communication in failed}
            )

    # ------------------------------------------------------------------
    # Business methods: letters
    # ------------------------------------------------------------------
    def _render_letters(self):
        """Print the letters of these communications with one wkhtmltopdf call and
        attach each PDF to its case (or debtor) with a note in the chatter."""
        todo = self.filtered(lambda c: c.letter_state == "to_render")
        if not todo:
            return
        report = self.env.ref("collections_management.action_report_collection_letter")
        try:
            pdf, _format = report._render_qweb_pdf(report.report_name, res_ids=todo.ids)
            pages = split_pdf_by_reference(pdf, todo.ids)
        except Exception as error:
            _logger.exception("Letter rendering failed for communications %s", todo.ids)
            todo.write({"letter_state": "failed", "error": str(error)})
            return
        attachment_vals = []
        for index, communication in enumerate(todo):
            thread = communication.case_id or communication.partner_id
            attachment_vals.append(
                {
                    "name": self.env._(
                        "Letter %(level)s - %(debtor)s.pdf",
                        level=communication.level_id.name,
                        debtor=communication.partner_id.name,
                    ),
                    "raw": pages[index],
                    "mimetype": "application/pdf",
                    "res_model": thread._name,
                    "res_id": thread.id,
                }
            )
        attachments = self.env["ir.attachment"].sudo().create(attachment_vals)
        todo.letter_state = "done"
        todo._link_each("letter_attachment_id", attachments)
        # one note per letter, each with its own PDF: the notes in a batch, then the PDFs
        # linked to them in one statement (a note with attachments is a call each)
        messages = self.env["collection.case"]._log_messages(
            [
                (
                    communication.case_id or communication.partner_id,
                    self.env._("Letter for level %s printed.", communication.level_id.name),
                )
                for communication in todo
            ]
        )
        link_each(messages, "attachment_ids", attachments)

    @api.model
    def _cron_render_letters(self, batch_size=50):
        domain = [("letter_state", "=", "to_render")]
        while True:
            batch = self.search(domain, limit=batch_size, order="id").try_lock_for_update()
            if not batch:
                return
            batch._render_letters()
            remaining = self.search_count(domain)
            if not self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining):
                return

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @api.model
    def _action_list(self, domain):
        """The communications list restricted to `domain` (for smart buttons)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_communication_action"
        )
        action.update(domain=domain, context={})
        return action

    @requires_group(COLLECTOR, "read")
    def action_print_letter(self):
        return self.env.ref("collections_management.action_report_collection_letter").report_action(
            self
        )

    @requires_group(MANAGER, "read")
    def action_cancel(self):
        self.filtered(lambda c: c.state == "draft").sudo().state = "cancelled"
        return True

    def _mark_email_failed(self, reason):
        """Called when the mail queue could not deliver: a note on the case. Only
        inserts: the mail queue must not update rows the letters cron may hold."""
        self.env["collection.case"]._log_messages(
            {
                communication.case_id or communication.partner_id: self.env._(
                    "Follow-up email for level %(level)s could not be delivered: %(reason)s",
                    level=communication.level_id.name,
                    reason=reason,
                )
                for communication in self
            }
        )

    # ------------------------------------------------------------------
    # Dunning fees: what the communication charges, named in its email and letter
    # ------------------------------------------------------------------
    dunning_fee_ids = fields.One2many(
        "collection.dunning.fee", "communication_id", string="Dunning Fees", readonly=True
    )
    dunning_fee_amount = fields.Monetary(
        string="Dunning Fee",
        compute="_compute_dunning_fee",
        currency_field="dunning_fee_currency_id",
        help="The fee this communication charges: billed once sent, to be billed while to do.",
    )
    dunning_fee_currency_id = fields.Many2one("res.currency", compute="_compute_dunning_fee")

    @api.depends("state", "level_id", "dunning_fee_ids")
    def _compute_dunning_fee(self):
        due = self.env["collection.dunning.fee"]._fees_due(
            self.filtered(lambda c: c.state == "draft" and c.id)
        )
        for communication in self:
            fees = communication.sudo().dunning_fee_ids
            if fees:
                amount, currency = sum(fees.mapped("amount")), fees[:1].currency_id
            else:
                amount, currency, _moves = due.get(communication, (0.0, False, None))
            communication.dunning_fee_amount = amount
            communication.dunning_fee_currency_id = currency or communication.currency_id

    # ------------------------------------------------------------------
    # Text messages: sent through Odoo's SMS queue, failures reported back
    # ------------------------------------------------------------------
    sms_number = fields.Char(
        string="SMS Number", readonly=True, help="The number the level's text was sent to."
    )
    sms_ids = fields.One2many("sms.sms", "collection_communication_id", string="Text Messages")
    sms_state = fields.Selection(
        [("none", "No SMS"), ("queued", "Queued"), ("sent", "Sent"), ("failed", "Failed")],
        string="SMS",
        compute="_compute_sms_state",
        help="Read from Odoo's SMS queue; a text the gateway took leaves the queue.",
    )

    @api.depends("sms_number", "sms_ids.state")
    def _compute_sms_state(self):
        by_sms_state = {
            "outgoing": "queued",
            "process": "queued",
            "pending": "sent",
            "sent": "sent",
        }
        for communication, communication_sudo in zip(self, self.sudo(), strict=True):
            texts = communication_sudo.sms_ids
            if texts:
                communication.sms_state = by_sms_state.get(texts[:1].state, "failed")
            elif communication.sms_number:
                communication.sms_state = "sent"
            elif communication.level_id.send_sms and communication.state in ("sent", "failed"):
                communication.sms_state = "failed"
            else:
                communication.sms_state = "none"

    def _sms_numbers(self):
        """{communication id: number} of the debtor's phone, else its billing contact's,
        formatted for the debtor's country; a communication without a usable number is
        left out."""
        numbers = {}
        for communication in self:
            debtor = communication.partner_id.commercial_partner_id
            billing = debtor.child_ids.filtered(lambda p: p.type == "invoice" and p.phone)
            for contact in debtor | billing:
                number = contact.phone and contact._phone_format(
                    number=contact.phone, country=contact.country_id or debtor.country_id
                )
                digits = re.sub(r"\D", "", number or "")
                if number and re.fullmatch(r"\+?[0-9 ().\-/]+", number) and 6 <= len(digits) <= 15:
                    numbers[communication.id] = number
                    break
        return numbers

    def _queue_sms(self):
        """Queue the text of each communication whose level sends one, in bulk, in Odoo's
        SMS queue (sent by its cron through the database's gateway). Consumers get the
        opt-out instructions at the end of the text.

        Returns the communications that failed whole (no usable number and nothing else
        to send): they keep their level, so that the next run tries again."""
        to_text = self.filtered(lambda c: c.level_id.send_sms and c.level_id.sms_template_id)
        numbers = to_text._sms_numbers()
        missing = to_text.filtered(lambda c: c.id not in numbers)
        missing.error = self.env._("The debtor has no valid mobile number for the SMS.")
        failed = missing.filtered(
            lambda c: not c.level_id.send_email and not c.level_id.send_letter
        )
        failed.state = "failed"
        to_text -= missing
        Guard = self.env["collection.contact.guard"]
        vals_list = []
        for template, communications in to_text.grouped(
            lambda c: c.level_id.sms_template_id
        ).items():
            bodies = template._render_field("body", communications.ids, compute_lang=True)
            for communication in communications:
                body = bodies[communication.id] or ""
                if communication.level_id.policy_id.debtor_type == "consumer":
                    body = f"{body}\n{Guard._optout_footer(communication.company_id)}"
                vals_list.append(
                    {
                        "number": numbers[communication.id],
                        "body": body,
                        "partner_id": communication.partner_id.id,
                        "collection_communication_id": communication.id,
                    }
                )
        self.env["sms.sms"].sudo().create(vals_list)
        write_each(to_text, ["sms_number"], [(c.id, numbers[c.id]) for c in to_text])
        return failed

    def _mark_sms_failed(self, reason):
        """Called when the gateway refused a text: a note on the case (or debtor), as
        for an email that bounced."""
        self.env["collection.case"]._log_messages(
            {
                communication.case_id or communication.partner_id: self.env._(
                    "Follow-up SMS for level %(level)s to %(number)s could not be delivered: "
                    "%(reason)s",
                    level=communication.level_id.name,
                    number=communication.sms_number or "-",
                    reason=reason,
                )
                for communication in self
            }
        )
