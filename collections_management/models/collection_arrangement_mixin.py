from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import GRACE_DAYS, check_range


class CollectionArrangementMixin(models.AbstractModel):
    """What promises to pay and payment plans share, on top of being case documents: a
    debtor chosen by the collector (the case is the debtor's open one, and gives the
    company), a collector, grace days proposed by the debtor's policy, and the actions
    that open them from a case, a debtor or an invoice. The model that uses it names
    the policy field of its grace days."""

    _name = "collection.arrangement.mixin"
    _description = "Payment Arrangement (promise or plan)"
    _inherit = ["collection.case.document"]

    _grace_days_policy_field = None  # e.g. "promise_grace_days"
    _new_form_target = "current"  # "new" opens the form of a new one in a dialog
    # The invoices proposed by default: the debtor's overdue ones, or all its open ones.
    _default_overdue_invoices_only = False

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    # The debtor is chosen, not read from the case: the case follows from it, and the
    # company from the case (else the current company).
    partner_id = fields.Many2one(
        related=False,
        precompute=False,
        required=True,
        tracking=True,
        check_company=True,
        domain=[("is_company", "=", True)],
        help="The commercial partner the arrangement is made with.",
    )
    company_id = fields.Many2one(
        related=False, compute="_compute_company_id", readonly=False, required=True
    )
    case_id = fields.Many2one(
        compute="_compute_case_id",
        store=True,
        readonly=False,
        precompute=True,
        required=False,
        index="btree_not_null",
        ondelete="set null",
        help="The debtor's open collection case when the arrangement was made.",
    )
    # each model names its own relation table
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_move_ids",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', 'in', "
        "('out_invoice', 'out_receipt')), ('state', '=', 'posted'), "
        "('payment_state', 'not in', ('paid', 'in_payment', 'reversed'))]",
    )
    grace_days = fields.Integer(
        compute="_compute_grace_days",
        store=True,
        readonly=False,
        precompute=True,
        help="Proposed from the debtor's policy.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        check_company=True,
        help="The collector who took the arrangement; a promise counts in their kept rate.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("case_id")
    def _compute_company_id(self):
        # computed from the case, which is computed from the company: the two agree
        # after one round (the open case of a debtor in a company is unique)
        for record in self:
            record.company_id = record.case_id.company_id or record.company_id or self.env.company

    @api.depends("partner_id", "company_id")
    def _compute_case_id(self):
        # the debtor's open case, whoever works it: the record rules then decide whether
        # the user may make an arrangement on it
        cases = (
            self.env["collection.case"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.partner_id.commercial_partner_id.ids),
                    ("is_open", "=", True),
                ]
            )
        )
        by_key = {(case.partner_id.id, case.company_id.id): case for case in cases}
        for record in self:
            # the company follows the case: while the case of a new arrangement is being
            # found, its company is not known yet and is the current one
            company = record.company_id or self.env.company
            key = (record.partner_id.commercial_partner_id.id, company.id)
            record.case_id = by_key.get(key, record.case_id)

    @api.depends("partner_id", "company_id")
    def _compute_move_ids(self):
        """The debtor's open (or overdue) posted invoices, in one search for all."""
        with_partner = self.filtered("partner_id")
        (self - with_partner).move_ids = False
        if not with_partner:
            return
        domain = [
            ("commercial_partner_id", "in", with_partner.partner_id.commercial_partner_id.ids),
            ("company_id", "in", with_partner.company_id.ids),
            ("move_type", "in", ("out_invoice", "out_receipt")),
            ("state", "=", "posted"),
            ("amount_residual", ">", 0),
        ]
        if self._default_overdue_invoices_only:
            domain.append(("invoice_date_due", "<", fields.Date.context_today(self)))
        invoices = (
            self.env["account.move"]
            .search(domain)
            .grouped(lambda move: (move.commercial_partner_id, move.company_id))
        )
        for record in with_partner:
            key = (record.partner_id.commercial_partner_id, record.company_id)
            record.move_ids = invoices.get(key, self.env["account.move"])

    @api.depends("case_id")
    def _compute_user_id(self):
        for record in self:
            record.user_id = record.case_id.user_id or record.user_id or self.env.user

    @api.depends("partner_id", "company_id")
    def _compute_grace_days(self):
        for company, records in self.grouped("company_id").items():
            policies = self.env["collection.policy"]._get_partner_policies(
                records.partner_id.commercial_partner_id, company
            )
            for record in records:
                policy = policies.get(record.partner_id.commercial_partner_id.id)
                record.grace_days = policy[self._grace_days_policy_field] if policy else 0

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("move_ids", "partner_id", "company_id", "case_id")
    def _check_covered_invoices(self):
        """An arrangement covers posted customer invoices of its own debtor and company
        only, and sits on that debtor's case: it pauses follow-up of what it covers."""
        _ = self.env._
        for record in self:
            debtor = record.partner_id.commercial_partner_id
            moves = record.move_ids
            foreign = moves.filtered(lambda m, r=record: m.company_id != r.company_id)
            not_invoices = moves.filtered(
                lambda m: m.move_type not in ("out_invoice", "out_receipt") or m.state != "posted"
            )
            not_debtor_s = moves.filtered(lambda m, d=debtor: m.commercial_partner_id != d)
            names = {"record": record.display_name, "debtor": debtor.name}
            if foreign:
                error = _(
                    "Invoice %(invoices)s belongs to another company than %(record)s "
                    "(%(company)s): an arrangement covers invoices of its own company.",
                    invoices=", ".join(foreign.mapped("display_name")),
                    company=record.company_id.name,
                    **names,
                )
            elif not_invoices:
                error = _(
                    "%(invoices)s: %(record)s covers posted customer invoices only, not "
                    "drafts, bills, credit notes or other entries.",
                    invoices=", ".join(not_invoices.mapped("display_name")),
                    **names,
                )
            elif not_debtor_s:
                error = _(
                    "Invoice %(invoices)s is not an invoice of %(debtor)s: %(record)s "
                    "covers its own debtor's invoices only.",
                    invoices=", ".join(not_debtor_s.mapped("display_name")),
                    **names,
                )
            elif record.case_id and (
                record.case_id.partner_id != debtor
                or record.case_id.company_id != record.company_id
            ):
                error = _(
                    "Case %(case)s is the case of %(other)s in %(case_company)s, not of "
                    "%(debtor)s in %(company)s: an arrangement sits on its own debtor's case.",
                    case=record.case_id.name,
                    other=record.case_id.partner_id.name,
                    case_company=record.case_id.company_id.name,
                    company=record.company_id.name,
                    **names,
                )
            else:
                continue
            raise ValidationError(error)

    @api.constrains("grace_days")
    def _check_grace_days(self):
        check_range(self, "grace_days", *GRACE_DAYS)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _settle_cases(self, failures, resumed, today):
        """Move the cases on once arrangements are judged, in one stage write per stage
        and one batch of notes: the case of a failed arrangement (`failures` maps it to
        the note for its case and the summary of an activity for the collector) goes to
        its escalation stage; `resumed` maps the case of one that ended well to the stage
        it goes back to and its note (it wins over a failure on the same case)."""
        Case = self.env["collection.case"]
        failed = self.browse().concat(*failures)
        escalation = failed.case_id._escalation_stages()
        stage_by_case, body_by_case, activities = {}, {}, {}
        for record, (note, summary) in failures.items():
            stage_by_case[record.case_id] = escalation[record.case_id]
            body_by_case[record.case_id] = note
            activities[record.case_id] = {"summary": summary, "date_deadline": today}
        for case, (stage, note) in resumed.items():
            stage_by_case[case] = stage
            body_by_case[case] = note
        Case._move_to_stages(stage_by_case, body_by_case)
        Case._schedule_activities(activities)

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @api.model
    def _case_defaults(self, case):
        # the debtor is chosen on an arrangement, not taken from the case
        return {**super()._case_defaults(case), "default_partner_id": case.partner_id.id}

    @api.model
    def _action_new(self, partner, moves=None, case=None):
        """The form of a new arrangement, pre-filled from where the collector is."""
        context = self._case_defaults(case) if case else {}
        context["default_partner_id"] = partner.commercial_partner_id.id
        if moves:
            context["default_move_ids"] = moves.ids
        return self._action_new_form(context, target=self._new_form_target)
