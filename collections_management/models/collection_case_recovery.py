from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class CollectionCase(models.Model):
    """Agency placements, legal actions, limitation and write-offs of a case (issue 7),
    kept apart from the core of the case in collection_case.py."""

    _inherit = "collection.case"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    placement_ids = fields.One2many(
        "collection.agency.placement", "case_id", string="Agency Placements"
    )
    placement_count = fields.Integer(compute="_compute_recovery_counts")
    legal_action_ids = fields.One2many("collection.legal.action", "case_id", string="Legal Actions")
    legal_action_count = fields.Integer(compute="_compute_recovery_counts")
    write_off_ids = fields.One2many("collection.write.off", "case_id", string="Write-offs")
    write_off_count = fields.Integer(compute="_compute_recovery_counts")
    limitation_date = fields.Date(
        compute="_compute_limitation_date",
        help="The oldest open overdue due date plus the limitation period of the debtor's "
        "jurisdiction (Configuration > Limitation Periods). Past it, the debt is "
        "time-barred: no legal action and no letter threatening one.",
    )
    is_time_barred = fields.Boolean(
        string="Time-barred",
        compute="_compute_limitation_date",
        search="_search_is_time_barred",
        help="The limitation date is past.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    def _compute_recovery_counts(self):
        counts = {}
        for model in (
            "collection.agency.placement",
            "collection.legal.action",
            "collection.write.off",
        ):
            counts[model] = dict(
                self.env[model]._read_group([("case_id", "in", self.ids)], ["case_id"], ["__count"])
            )
        for case in self:
            case.placement_count = counts["collection.agency.placement"].get(case, 0)
            case.legal_action_count = counts["collection.legal.action"].get(case, 0)
            case.write_off_count = counts["collection.write.off"].get(case, 0)

    @api.depends_context("company")
    def _compute_limitation_date(self):
        today = fields.Date.context_today(self)
        oldest = self._oldest_overdue_dates(today)
        years = self.env["collection.limitation.period"]._years_by_partner(self.partner_id)
        for case in self:
            start = oldest.get(case.id)
            period = years.get(case.partner_id.id)
            case.limitation_date = start and period and fields.Date.add(start, years=period)
            case.is_time_barred = bool(case.limitation_date and case.limitation_date < today)

    def _oldest_overdue_dates(self, today):
        """{case id: oldest due date of its open overdue invoices}, in one query."""
        if not self.ids:
            return {}
        rows = self.env["account.move"]._read_group(
            [
                ("collection_case_id", "in", self.ids),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
                ("invoice_date_due", "<", today),
            ],
            ["collection_case_id"],
            ["invoice_date_due:min"],
        )
        return {case.id: date for case, date in rows}

    def _search_is_time_barred(self, operator, value):
        if operator != "in":
            return NotImplemented
        cases = self.search([("is_open", "=", True)])
        barred = cases.filtered("is_time_barred")
        return [("id", "in" if True in value else "not in", barred.ids)]

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("stage_id")
    def _check_legal_stage(self):
        for case in self.filtered(lambda c: c.stage_type == "legal"):
            case._check_not_time_barred(ValidationError)

    def _check_not_time_barred(self, error=UserError):
        for case in self.filtered("is_time_barred"):
            raise error(
                self.env._(
                    "The debt of case %(case)s is time-barred since %(date)s (limitation "
                    "period of the debtor's jurisdiction): it cannot be sued for.",
                    case=case.name,
                    date=case.limitation_date,
                )
            )

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    def _recovery_action(self, model, name, extra_context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(f"collections_management.{name}")
        action.update(
            domain=[("case_id", "=", self.id)],
            context={
                "default_case_id": self.id,
                "default_company_id": self.company_id.id,
                **(extra_context or {}),
            },
        )
        return action

    def action_view_placements(self):
        return self._recovery_action(
            "collection.agency.placement", "collection_agency_placement_action"
        )

    def action_view_legal_actions(self):
        return self._recovery_action("collection.legal.action", "collection_legal_action_action")

    def action_view_write_offs(self):
        return self._recovery_action("collection.write.off", "collection_write_off_action")

    def action_place_with_agency(self):
        self.ensure_one()
        placed = self.placement_ids.filtered(lambda p: p.state == "placed").move_ids
        moves = self.invoice_ids.filtered(lambda m: m.amount_residual > 0) - placed
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Place with an Agency"),
            "res_model": "collection.agency.placement",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_case_id": self.id,
                "default_company_id": self.company_id.id,
                "default_move_ids": moves.ids,
            },
        }

    def action_start_legal_action(self):
        self.ensure_one()
        self._check_not_time_barred()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Legal Action"),
            "res_model": "collection.legal.action",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_case_id": self.id, "default_company_id": self.company_id.id},
        }

    def action_write_off(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Write Off"),
            "res_model": "collection.write.off.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }
