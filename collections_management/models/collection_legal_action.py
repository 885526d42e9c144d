from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import COLLECTOR, check_range, requires_group, years_around

# Court cases last: filing and judgment dates go back this many years (the longest
# limitation period), and are at most a year ahead (a hearing already scheduled).
COURT_YEARS = 30

LEGAL_STATES = [
    ("preparing", "Preparing"),
    ("filed", "Filed"),
    ("judgment", "Judgment"),
    ("enforcement", "Enforcement"),
    ("closed", "Closed"),
]


class CollectionLegalAction(models.Model):
    _name = "collection.legal.action"
    _description = "Legal Action"
    _inherit = ["collection.case.document"]
    _order = "id desc"
    _check_company_auto = True
    # moved on by its actions (Filed, Judgment...), which check what each step needs
    _system_fields = ("name", "state", "cost_invoice_id")

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    state = fields.Selection(
        LEGAL_STATES, default="preparing", required=True, tracking=True, index=True, copy=False
    )
    court = fields.Char(tracking=True, help="The court the claim is filed with.")
    court_case_number = fields.Char(string="Court Case Number", tracking=True, copy=False)
    date_filed = fields.Date(
        string="Filing Date",
        tracking=True,
        copy=False,
        help="At most 30 years ago and a year ahead.",
    )
    lawyer_id = fields.Many2one(
        "res.partner",
        string="Lawyer",
        tracking=True,
        check_company=True,
        help="The lawyer or law firm.",
    )
    amount_claimed = fields.Monetary(
        tracking=True, help="The amount claimed from the debtor (the debt at filing)."
    )
    amount_costs = fields.Monetary(
        string="Legal Costs", tracking=True, help="Court fees and lawyer's fees so far."
    )
    add_costs_to_debt = fields.Boolean(
        string="Add Costs to the Debt",
        tracking=True,
        help="Invoice the legal costs to the debtor. Only allowed when the case's "
        "policy says the contract allows it.",
    )
    cost_invoice_id = fields.Many2one(
        "account.move", string="Costs Invoice", readonly=True, copy=False, check_company=True
    )
    date_judgment = fields.Date(
        string="Judgment Date",
        tracking=True,
        copy=False,
        help="At most 30 years ago and a year ahead, not before the filing date.",
    )
    amount_judgment = fields.Monetary(string="Judgment Amount", tracking=True, copy=False)
    limitation_date = fields.Date(related="case_id.limitation_date")
    note = fields.Html()

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("name", "partner_id", "court_case_number")
    def _compute_display_name(self):
        for action in self:
            number = f" ({action.court_case_number})" if action.court_case_number else ""
            action.display_name = f"{action.name} - {action.partner_id.name or ''}{number}"

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("add_costs_to_debt", "case_id")
    def _check_add_costs(self):
        for action in self.filtered("add_costs_to_debt"):
            if not action.case_id.policy_id.allow_legal_cost_recovery:
                raise ValidationError(
                    self.env._(
                        "The policy of case %s does not allow adding legal costs to the "
                        "debt: the contract must provide for it (set it on the policy).",
                        action.case_id.name,
                    )
                )

    @api.constrains("case_id")
    def _check_case_not_time_barred(self):
        """A time-barred debt cannot be sued for: no legal action is started on its
        case, nor moved onto it."""
        self.case_id._check_not_time_barred(ValidationError)

    @api.constrains("amount_costs", "amount_claimed", "amount_judgment")
    def _check_amounts(self):
        for action in self:
            if min(action.amount_costs, action.amount_claimed, action.amount_judgment) < 0:
                raise ValidationError(self.env._("Legal amounts cannot be negative."))

    @api.constrains("date_filed", "date_judgment")
    def _check_dates(self):
        bounds = years_around(fields.Date.context_today(self), back=COURT_YEARS, ahead=1)
        check_range(self, "date_filed", *bounds)
        check_range(self, "date_judgment", *bounds)
        for action in self:
            if (
                action.date_judgment
                and action.date_filed
                and action.date_judgment < action.date_filed
            ):
                raise ValidationError(
                    self.env._("The judgment date cannot be before the filing date.")
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        actions = super().create(vals_list)
        for action in actions:
            case = action.case_id
            if not action.amount_claimed:
                action.amount_claimed = case.amount_overdue
            stage = self.env["collection.stage"]._get_stage_by_type("legal", action.company_id)
            if stage and case.is_open:
                case.stage_id = stage
        self.env["collection.case"]._log_messages(
            [
                (
                    action.case_id,
                    self.env._(
                        "Legal action %s started: the case goes to the legal stage.", action.name
                    ),
                )
                for action in actions
            ]
        )
        return actions

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    def _set_state(self, state, required=()):
        for action in self:
            missing = [action._fields[name].string for name in required if not action[name]]
            if missing:
                raise UserError(
                    self.env._(
                        "Fill in %(fields)s before moving %(action)s on.",
                        fields=", ".join(missing),
                        action=action.name,
                    )
                )
        self.sudo().state = state
        return True

    @requires_group(COLLECTOR)
    def action_file(self):
        for action in self:
            action.case_id._check_not_time_barred()
        return self._set_state("filed", ("court", "court_case_number", "date_filed"))

    @requires_group(COLLECTOR)
    def action_judgment(self):
        return self._set_state("judgment", ("date_judgment", "amount_judgment"))

    @requires_group(COLLECTOR)
    def action_enforce(self):
        return self._set_state("enforcement")

    @requires_group(COLLECTOR)
    def action_close(self):
        return self._set_state("closed")

    @requires_group(COLLECTOR)
    def action_reset(self):
        return self._set_state("preparing")

    @requires_group(COLLECTOR)
    def action_invoice_costs(self):
        """A draft customer invoice of the legal costs to the debtor (if allowed)."""
        self.ensure_one()
        if not self.add_costs_to_debt:
            raise UserError(self.env._("Tick 'Add Costs to the Debt' first."))
        self._check_add_costs()
        if self.cost_invoice_id and self.cost_invoice_id.state != "cancel":
            raise UserError(self.env._("The costs are invoiced already."))
        if self.currency_id.compare_amounts(self.amount_costs, 0) <= 0:
            raise UserError(self.env._("Enter the legal costs to invoice."))
        invoice = (
            self.env["account.move"]
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "ref": self.court_case_number or self.name,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._(
                                    "Legal costs: %(court)s %(number)s",
                                    court=self.court or "",
                                    number=self.court_case_number or self.name,
                                ),
                                "quantity": 1,
                                "price_unit": self.amount_costs,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )
        self.sudo().cost_invoice_id = invoice
        return invoice._get_records_action(context={})
