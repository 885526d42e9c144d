from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import LIMITATION_YEARS, check_range, clamp


class CollectionLimitationPeriod(models.Model):
    _name = "collection.limitation.period"
    _description = "Limitation Period"
    _order = "country_id, state_id, id"

    _unique_jurisdiction = models.UniqueIndex(
        "(country_id, COALESCE(state_id, 0))",
        "A jurisdiction (country, and state where it applies) has one limitation period.",
    )

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    country_id = fields.Many2one("res.country", required=True, index=True)
    state_id = fields.Many2one(
        "res.country.state",
        string="State",
        domain="[('country_id', '=', country_id)]",
        help="For countries where the period depends on the state (the United States). "
        "Empty: the whole country.",
    )
    years = fields.Integer(
        required=True,
        default=6,
        help="Years after the oldest overdue due date after which the debt is time-barred: "
        "it can no longer be sued for, and letters may not threaten suit. From 1 to 30.",
    )
    note = fields.Char(help="The statute, e.g. 'Limitation Act 1980, s.5'.")
    active = fields.Boolean(default=True)

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("country_id", "state_id", "years")
    def _compute_display_name(self):
        for period in self:
            place = period.state_id.name or period.country_id.name or ""
            period.display_name = self.env._(
                "%(place)s: %(years)s years", place=place, years=period.years
            )

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("years")
    def _check_years(self):
        check_range(self, "years", *LIMITATION_YEARS)

    @api.constrains("country_id", "state_id")
    def _check_state(self):
        for period in self:
            if period.state_id and period.state_id.country_id != period.country_id:
                raise ValidationError(
                    self.env._("State %s is not in the chosen country.", period.state_id.name)
                )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _years_by_partner(self, partners):
        """{partner id: years} for the partners whose jurisdiction has a period: the
        state's period where there is one, else the country's. One query."""
        periods = self.search([("country_id", "in", partners.country_id.ids)])
        by_key = {(p.country_id.id, p.state_id.id or False): p._bounded_years() for p in periods}
        result = {}
        for partner in partners:
            country = partner.country_id.id
            years = (
                by_key.get((country, partner.state_id.id or False)) if partner.state_id else None
            )
            if years is None:
                years = by_key.get((country, False))
            if years:
                result[partner.id] = years
        return result

    def _bounded_years(self):
        """The period's years, within the bounds even on a row stored before they were
        checked (a date 9,000 years on does not exist)."""
        self.ensure_one()
        return clamp(self.years, LIMITATION_YEARS)
