from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date, formatLang

from ..tools import COLLECTOR, MANAGER, requires_group

CLAIM_STATES = [("billed", "Billed"), ("waived", "Waived")]


class CollectionInterestClaim(models.Model):
    """Statutory late-payment interest and fixed compensation claimed from a debtor:
    one customer invoice with a line per late invoice and period. A period is claimed
    once: the next claim starts the day after the last one claimed, billed or waived."""

    _name = "collection.interest.claim"
    _description = "Late-Payment Interest Claim"
    _inherit = ["collection.case.document"]
    _order = "id desc"
    _check_company_auto = True
    _sequence_date_field = "date"
    _system_fields = (
        "name",
        "state",
        "date",
        "line_ids",
        "bill_id",
        "currency_id",
        "amount_interest",
        "amount_compensation",
        "amount_total",
        "communication_id",
    )

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    state = fields.Selection(
        CLAIM_STATES, default="billed", required=True, tracking=True, index=True, readonly=True
    )
    date = fields.Date(
        string="Claimed To",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
        help="Interest is claimed up to this day (or the payment date of an invoice paid).",
    )
    currency_id = fields.Many2one(
        "res.currency",
        related=False,
        store=True,
        required=True,
        readonly=True,
        help="The currency of the late invoices.",
    )
    line_ids = fields.One2many(
        "collection.interest.claim.line", "claim_id", string="Breakdown", readonly=True
    )
    bill_id = fields.Many2one(
        "account.move",
        string="Customer Invoice",
        readonly=True,
        copy=False,
        check_company=True,
        index="btree_not_null",
    )
    amount_interest = fields.Monetary(string="Interest", readonly=True)
    amount_compensation = fields.Monetary(string="Fixed Compensation", readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
    communication_id = fields.Many2one(
        "collection.communication",
        string="Follow-up",
        readonly=True,
        index="btree_not_null",
        help="The follow-up level that claimed it, if a run did.",
    )
    waive_reason = fields.Text(
        tracking=True, help="Why the claim is waived: required to waive it, logged on the case."
    )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _candidate_invoices(self, cases, until):
        """The posted customer invoices of the cases' debtors due before `until` that
        are still open or were followed up (linked to a case), in one search. The bills
        of claims bear no interest themselves."""
        bills = self.sudo()._search([("bill_id", "!=", False)])
        fees = self.env["collection.dunning.fee"].sudo()._search([("bill_id", "!=", False)])
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("commercial_partner_id", "in", cases.partner_id.ids),
                    ("company_id", "in", cases.company_id.ids),
                    ("invoice_date_due", "<", until),
                    ("id", "not in", bills.subselect("bill_id")),
                    ("id", "not in", fees.subselect("bill_id")),
                    "|",
                    ("amount_residual", ">", 0),
                    ("collection_case_id", "!=", False),
                ],
                order="invoice_date_due, id",
            )
        )

    @api.model
    def _claimed_so_far(self, invoices):
        """({invoice id: last day of interest claimed}, {invoice ids compensated}) over
        all claims, billed or waived: two grouped reads."""
        Line = self.env["collection.interest.claim.line"].sudo()
        claimed = dict(
            Line._read_group(
                [("move_id", "in", invoices.ids), ("kind", "=", "interest")],
                ["move_id"],
                ["date_to:max"],
            )
        )
        compensated = Line._read_group(
            [("move_id", "in", invoices.ids), ("kind", "=", "compensation")], ["move_id"]
        )
        return (
            {move.id: day for move, day in claimed.items()},
            {move.id for (move,) in compensated},
        )

    @api.model
    def _accrued_lines(self, cases, until):
        """What the cases' debtors owe in interest and compensation not yet claimed, up
        to `until`: ({case: [line values]}, {case: [errors]}). A few queries whatever
        the number of cases and invoices."""
        invoices = self._candidate_invoices(cases, until)
        claimed, compensated = self._claimed_so_far(invoices)
        policies = {
            case.partner_id.id: case.policy_id or case.company_id.collection_policy_id
            for case in cases
        }
        by_invoice, errors = self.env["collection.interest.rate"]._accrue(
            invoices, until, policies, claimed, compensated
        )
        case_of = {(case.partner_id.id, case.company_id.id): case for case in cases}
        lines, case_errors = defaultdict(list), defaultdict(list)
        for invoice in invoices:
            case = case_of.get((invoice.commercial_partner_id.id, invoice.company_id.id))
            if invoice.id in errors:
                case_errors[case].append(f"{invoice.name}: {errors[invoice.id]}")
            lines[case].extend(by_invoice.get(invoice.id, []))
        return lines, case_errors

    @api.model
    def _claim(self, cases, until, communications=None):
        """Bill the interest and compensation accrued on `cases` up to `until`: per case
        and currency, a claim and its customer invoice. A case whose rates are missing
        is left out whole (nothing billed) and named in the errors.

        Returns (claims, {case: error text})."""
        lines, errors = self._accrued_lines(cases, until)
        communication_of = {c.case_id: c for c in communications or []}
        invoices = self.env["account.move"].browse(
            {vals["move_id"] for values in lines.values() for vals in values}
        )
        vals_list = []
        for case in cases:
            if case in errors or not lines.get(case):
                continue
            by_currency = defaultdict(list)
            for vals in lines[case]:
                by_currency[invoices.browse(vals["move_id"]).currency_id].append(vals)
            for currency, values in by_currency.items():
                values = [vals for vals in values if not currency.is_zero(vals["amount"])]
                if not values:
                    continue
                interest = sum(v["amount"] for v in values if v["kind"] == "interest")
                compensation = sum(v["amount"] for v in values if v["kind"] == "compensation")
                vals_list.append(
                    {
                        "case_id": case.id,
                        "date": until,
                        "currency_id": currency.id,
                        "amount_interest": interest,
                        "amount_compensation": compensation,
                        "amount_total": interest + compensation,
                        "communication_id": communication_of.get(case, self.browse()).id,
                        "line_ids": [Command.create(vals) for vals in values],
                    }
                )
        claims = self.sudo().with_context(mail_create_nolog=True).create(vals_list)
        claims._bill()
        self.env["collection.case"]._log_messages(
            [
                (
                    claim.case_id,
                    self.env._(
                        "Late-payment interest and compensation claimed (%(claim)s): "
                        "%(amount)s, invoice %(bill)s.",
                        claim=claim.name,
                        amount=formatLang(
                            self.env, claim.amount_total, currency_obj=claim.currency_id
                        ),
                        bill=claim.bill_id.name or claim.bill_id.display_name,
                    ),
                )
                for claim in claims
            ]
        )
        return claims, {case: "\n".join(texts) for case, texts in errors.items()}

    def _bill(self):
        """One customer invoice per claim, a line per invoice and period, without tax;
        posted unless the policy keeps bills in draft for review."""
        vals_list = []
        for claim in self:
            policy = claim.case_id.policy_id or claim.company_id.collection_policy_id
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": claim.partner_id.id,
                    "company_id": claim.company_id.id,
                    "currency_id": claim.currency_id.id,
                    "invoice_date": claim.date,
                    "ref": self.env._(
                        "Late-payment interest %(claim)s: %(invoices)s",
                        claim=claim.name,
                        invoices=", ".join(claim.line_ids.move_id.mapped("name")),
                    ),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": line._label(),
                                "quantity": 1,
                                "price_unit": line.amount,
                                "tax_ids": [],
                                "product_id": policy.interest_product_id.id,
                            }
                        )
                        for line in claim.line_ids
                    ],
                }
            )
        values = dict(zip(self, vals_list, strict=True))
        for company, claims in self.grouped("company_id").items():
            bills = (
                self.env["account.move"]
                .sudo()
                .with_company(company)
                .create([values[claim] for claim in claims])
            )
            for claim, bill in zip(claims, bills, strict=True):
                claim.bill_id = bill
        to_post = self.filtered(
            lambda c: (c.case_id.policy_id or c.company_id.collection_policy_id).charge_post
        )
        to_post.bill_id.action_post()

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(COLLECTOR, "read")
    def action_view_bill(self):
        self.ensure_one()
        return self.bill_id._get_records_action(context={})

    @requires_group(MANAGER)
    def action_waive(self):
        """Forgo the claim: its bill is cancelled (a draft) or credited (posted, unpaid);
        its periods stay claimed, so no later claim bills them again."""
        for claim in self:
            if claim.state != "billed":
                raise UserError(self.env._("Claim %s is waived already.", claim.name))
            if not (claim.waive_reason or "").strip():
                raise UserError(
                    self.env._("Give the reason for waiving claim %s first.", claim.name)
                )
            bill = claim.bill_id.sudo()
            if bill.state == "posted" and bill.payment_state not in ("not_paid", "partial"):
                raise UserError(
                    self.env._(
                        "Invoice %(bill)s of claim %(claim)s is paid: refund it from the "
                        "invoice instead.",
                        bill=bill.name,
                        claim=claim.name,
                    )
                )
        for claim in self:
            bill = claim.bill_id.sudo()
            if bill.state == "draft":
                bill.button_cancel()
            elif bill.state == "posted":
                bill._reverse_moves(
                    [
                        {
                            "ref": self.env._("Waived: %s", claim.name),
                            "invoice_date": fields.Date.context_today(self),
                        }
                    ],
                    cancel=True,
                )
        self.sudo().state = "waived"
        self.env["collection.case"]._log_messages(
            [
                (
                    claim.case_id,
                    self.env._(
                        "Claim %(claim)s (%(amount)s) waived: %(reason)s",
                        claim=claim.name,
                        amount=formatLang(
                            self.env, claim.amount_total, currency_obj=claim.currency_id
                        ),
                        reason=claim.waive_reason,
                    ),
                )
                for claim in self
            ]
        )
        return True


class CollectionInterestClaimLine(models.Model):
    _name = "collection.interest.claim.line"
    _description = "Late-Payment Interest Claim Line"
    _order = "claim_id, move_id, kind desc, date_from"

    claim_id = fields.Many2one(
        "collection.interest.claim", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="claim_id.company_id", store=True, index=True)
    case_id = fields.Many2one(related="claim_id.case_id", store=True)
    currency_id = fields.Many2one(related="claim_id.currency_id")
    move_id = fields.Many2one(
        "account.move", string="Late Invoice", required=True, index=True, ondelete="restrict"
    )
    kind = fields.Selection(
        [("interest", "Interest"), ("compensation", "Fixed Compensation")], required=True
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    days = fields.Integer()
    base_amount = fields.Monetary(string="Amount Late")
    rate = fields.Float(string="Rate (%)", digits=(5, 2))
    amount = fields.Monetary(string="Result")

    def _label(self):
        """The line of the bill: what a debtor needs to check the figure."""
        self.ensure_one()
        amount = formatLang(self.env, self.base_amount, currency_obj=self.currency_id)
        if self.kind == "compensation":
            return self.env._(
                "Fixed compensation for late payment of %(invoice)s (%(amount)s)",
                invoice=self.move_id.name,
                amount=amount,
            )
        return self.env._(
            "Late-payment interest on %(invoice)s, %(start)s to %(end)s: %(days)s days on "
            "%(amount)s at %(rate)s%%",
            invoice=self.move_id.name,
            start=format_date(self.env, self.date_from),
            end=format_date(self.env, self.date_to),
            days=self.days,
            amount=amount,
            rate=f"{self.rate:.2f}",
        )
