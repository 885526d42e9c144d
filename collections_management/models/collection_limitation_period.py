from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import LIMITATION_YEARS, check_range, clamp

# The kinds of debt a period may be limited to, and the kind of a debtor without policy.
DEBTOR_TYPES = [("consumer", "Consumer"), ("business", "Business")]
DEBT_BASES = [("written", "Written Contract"), ("open_account", "Open Account")]
DEFAULT_KIND = ("business", "written")


class CollectionLimitationPeriod(models.Model):
    _name = "collection.limitation.period"
    _description = "Limitation Period"
    _order = "country_id, state_id, id"

    _unique_jurisdiction = models.UniqueIndex(
        "(country_id, COALESCE(state_id, 0), COALESCE(debtor_type, ''), COALESCE(debt_basis, ''))",
        "A jurisdiction (country, and state where it applies) has one limitation period per "
        "kind of debt.",
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
    debtor_type = fields.Selection(
        DEBTOR_TYPES,
        help="The debts the period applies to, as the debtor's policy says (e.g. New York: "
        "3 years for consumer credit, 6 for other contracts). Empty: any debtor.",
    )
    debt_basis = fields.Selection(
        DEBT_BASES,
        string="Debt Basis",
        help="Where the jurisdiction distinguishes them: a written contract or an open "
        "account (unwritten), as the debtor's policy says. Empty: either.",
    )
    restart_on_acknowledgement = fields.Boolean(
        string="Acknowledgement Restarts",
        default=True,
        help="A signed written acknowledgement of the debt (or promise to pay it) starts "
        "the period again from its date (e.g. New York GOL 17-101, California CCP 360). "
        "Off where nothing revives or extends the debt (New York consumer credit, CPLR "
        "214-i).",
    )
    restart_on_payment = fields.Boolean(
        string="Payment Restarts",
        help="A payment on the debt starts the period again from its date (e.g. Illinois "
        "13-206). Off where a payment alone does not (most states).",
    )
    note = fields.Char(help="The statute, e.g. 'Limitation Act 1980, s.5'.")
    source = fields.Char(help="Where the period comes from: the statute's official text.")
    active = fields.Boolean(default=True)

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("country_id", "state_id", "years", "debtor_type", "debt_basis")
    def _compute_display_name(self):
        types, bases = dict(DEBTOR_TYPES), dict(DEBT_BASES)
        for period in self:
            place = period.state_id.name or period.country_id.name or ""
            kinds = [types.get(period.debtor_type), bases.get(period.debt_basis)]
            kind = ", ".join(self.env._(k) for k in kinds if k)
            period.display_name = self.env._(
                "%(place)s%(kind)s: %(years)s years",
                place=place,
                kind=f" ({kind})" if kind else "",
                years=period.years,
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
    def _years_by_profile(self, profiles):
        """{profile: years} for profiles (country id, state id or False, debtor type,
        debt basis); a profile without a period is left out. One query."""
        return {
            profile: period._bounded_years()
            for profile, period in self._periods_by_profile(profiles).items()
        }

    @api.model
    def _periods_by_profile(self, profiles):
        """{profile: the period that applies} for profiles as in `_years_by_profile`;
        a profile without a period is left out. One query."""
        countries = {profile[0] for profile in profiles if profile[0]}
        rows = self.search([("country_id", "in", list(countries))]).grouped("country_id")
        result = {}
        for profile in profiles:
            country, state, debtor_type, basis = profile
            periods = rows.get(self.env["res.country"].browse(country), self.browse())
            period = periods._pick_period(state, debtor_type, basis)
            if period:
                result[profile] = period
        return result

    @api.model
    def _rules(self):
        """Every profile a debtor can have, with the years of its period, for a domain:
        [(country id, state id or False, state ids left to their own rows, debtor type,
        debt basis, years)]. One query."""
        rules = []
        for country, periods in self.search([]).grouped("country_id").items():
            states = periods.state_id
            for state_id in [*states.ids, False]:
                for debtor_type, _label in DEBTOR_TYPES:
                    for basis, _label in DEBT_BASES:
                        years = periods._pick(state_id, debtor_type, basis)
                        if years:
                            others = [] if state_id else states.ids
                            rules.append((country.id, state_id, others, debtor_type, basis, years))
        return rules

    def _pick(self, state_id, debtor_type, basis):
        """Years of the period of a debtor among these periods of its country (see
        `_pick_period`). None without a fitting period."""
        period = self._pick_period(state_id, debtor_type, basis)
        return period._bounded_years() if period else None

    def _pick_period(self, state_id, debtor_type, basis):
        """The period of a debtor among these periods of its country: its state's
        where one fits, else the country's; among those, the one of its kind (consumer
        or business, written contract or open account) before one for any kind. Empty
        without a fitting period."""
        for level in (state_id, False) if state_id else (False,):
            fitting = self.filtered(
                lambda p, level=level: (p.state_id.id or False) == level
                and p.debtor_type in (False, debtor_type)
                and p.debt_basis in (False, basis)
            )
            if fitting:
                return max(fitting, key=lambda p: (bool(p.debtor_type), bool(p.debt_basis)))
        return self.browse()

    def _bounded_years(self):
        """The period's years, within the bounds even on a row stored before they were
        checked (a date 9,000 years on does not exist)."""
        self.ensure_one()
        return clamp(self.years, LIMITATION_YEARS)
