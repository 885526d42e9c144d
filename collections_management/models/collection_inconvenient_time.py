from odoo import api, fields, models
from odoo.exceptions import ValidationError

WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class CollectionInconvenientTime(models.Model):
    _name = "collection.inconvenient.time"
    _description = "Debtor's Inconvenient Time"
    _inherit = ["collection.access.mixin"]
    _order = "partner_id, dayofweek, hour_from"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    partner_id = fields.Many2one(
        "res.partner", string="Debtor", required=True, index=True, ondelete="cascade"
    )
    dayofweek = fields.Selection(
        WEEKDAYS, string="Day", help="Leave empty when the time is inconvenient every day."
    )
    hour_from = fields.Float(string="From", required=True, help="In the debtor's time zone.")
    hour_to = fields.Float(string="To", required=True, help="In the debtor's time zone.")
    note = fields.Char(help="What the debtor said, e.g. 'at work until 17:00'.")

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("hour_from", "hour_to")
    def _check_hours(self):
        for period in self:
            if not 0 <= period.hour_from < period.hour_to <= 24:
                raise ValidationError(
                    self.env._(
                        "An inconvenient time must start before it ends, both between "
                        "00:00 and 24:00."
                    )
                )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _covers(self, local_dt):
        """The first of these periods that contains `local_dt` (a naive local time)."""
        hour = local_dt.hour + local_dt.minute / 60.0
        for period in self:
            if period.dayofweek and int(period.dayofweek) != local_dt.weekday():
                continue
            if period.hour_from <= hour < period.hour_to:
                return period
        return self.browse()
