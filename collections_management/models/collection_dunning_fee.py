from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.tools import formatLang


class CollectionDunningFee(models.Model):
    """A fee a follow-up level charged a debtor, billed as a customer invoice. Written
    by the run only: once per debtor's case and level (per communication), or once
    per invoice and level (per invoice), as the policy says."""

    _name = "collection.dunning.fee"
    _description = "Dunning Fee"
    _order = "id desc"
    _check_company_auto = True

    communication_id = fields.Many2one(
        "collection.communication", required=True, ondelete="cascade", index=True
    )
    case_id = fields.Many2one("collection.case", index="btree_not_null", check_company=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    level_id = fields.Many2one("collection.level", required=True, index=True)
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices Charged",
        help="Per invoice: the invoices the fee was charged for.",
    )
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary(required=True)
    bill_id = fields.Many2one("account.move", string="Customer Invoice", index="btree_not_null")

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _fees_due(self, communications):
        """{communication: (amount, currency, invoices charged)} of the communications
        whose level charges a fee not charged before for that debtor's case and level
        (or, per invoice, for those invoices and level). A few queries for the batch."""
        with_fee = communications.filtered(lambda c: c.level_id.fee_ids)
        if not with_fee:
            return {}
        earlier = self.sudo().search(
            [
                ("level_id", "in", with_fee.level_id.ids),
                ("partner_id", "in", with_fee.partner_id.ids),
                ("communication_id", "not in", with_fee.ids),
            ]
        )
        charged_cases = {(fee.case_id.id or fee.partner_id.id, fee.level_id) for fee in earlier}
        charged_moves = {(move, fee.level_id) for fee in earlier for move in fee.move_ids}
        result = {}
        for communication in with_fee:
            level = communication.level_id
            policy = level.policy_id
            invoices = communication.line_ids.filtered(lambda ln, lv=level: ln.level_id == lv)
            moves = invoices.move_id
            currencies = moves.currency_id
            currency = currencies if len(currencies) == 1 else communication.company_id.currency_id
            fee = level.fee_ids.filtered(lambda f, cur=currency: f.currency_id == cur)
            if not fee or fee.currency_id.is_zero(fee.amount):
                continue
            if policy.fee_basis == "invoice":
                moves = moves.filtered(lambda m, lv=level: (m, lv) not in charged_moves)
                if moves:
                    result[communication] = (fee.amount * len(moves), currency, moves)
            elif (
                communication.case_id.id or communication.partner_id.id,
                level,
            ) not in charged_cases:
                result[communication] = (fee.amount, currency, moves)
        return result

    @api.model
    def _bill(self, communications):
        """Charge the fees due on these (sent) communications: a fee record and its
        customer invoice each, posted unless the policy keeps them in draft."""
        due = self._fees_due(communications)
        if not due:
            return self.browse()
        fees = self.sudo().create(
            [
                {
                    "communication_id": communication.id,
                    "case_id": communication.case_id.id,
                    "partner_id": communication.partner_id.id,
                    "company_id": communication.company_id.id,
                    "level_id": communication.level_id.id,
                    "currency_id": currency.id,
                    "amount": amount,
                    "move_ids": [Command.set(moves.ids)],
                }
                for communication, (amount, currency, moves) in due.items()
            ]
        )
        by_company = defaultdict(list)
        for fee in fees:
            by_company[fee.company_id].append(fee)
        for company, company_fees in by_company.items():
            bills = (
                self.env["account.move"]
                .sudo()
                .with_company(company)
                .create([fee._bill_values() for fee in company_fees])
            )
            for fee, bill in zip(company_fees, bills, strict=True):
                fee.bill_id = bill
        fees.filtered(lambda f: f.level_id.policy_id.charge_post).bill_id.action_post()
        return fees

    def _bill_values(self):
        self.ensure_one()
        policy = self.level_id.policy_id
        per_invoice = policy.fee_basis == "invoice"
        unit = self.amount / len(self.move_ids) if per_invoice and self.move_ids else self.amount
        names = [
            self.env._(
                "Dunning fee, follow-up level %(level)s: %(invoice)s",
                level=self.level_id.name,
                invoice=move.name,
            )
            for move in (self.move_ids if per_invoice else self.move_ids[:0])
        ] or [
            self.env._(
                "Dunning fee, follow-up level %(level)s (%(invoices)s)",
                level=self.level_id.name,
                invoices=", ".join(self.move_ids.mapped("name")),
            )
        ]
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": self.communication_id.date,
            "ref": self.env._("Dunning fee: %s", self.level_id.name),
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": name,
                        "product_id": policy.fee_product_id.id,
                        "quantity": 1,
                        "price_unit": unit,
                        "tax_ids": [],
                    }
                )
                for name in names
            ],
        }

    def _label(self):
        self.ensure_one()
        return formatLang(self.env, self.amount, currency_obj=self.currency_id)
