from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _collector_domain(self):
        """Users who may be given cases: members of the Collector group or above."""
        collector = self.env.ref("collections_management.group_collections_collector")
        return [("all_group_ids", "in", collector.id)]
