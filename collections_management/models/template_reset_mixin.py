import logging

from odoo import SUPERUSER_ID, api, models

_logger = logging.getLogger(__name__)


class TemplateResetMixin(models.AbstractModel):
    _inherit = "template.reset.mixin"

    @api.model
    def _reset_shipped_templates(self, module):
        """Reload from their files the templates of `module` that no person has changed.

        The templates are noupdate data: an upgrade leaves them as they were installed,
        so a database keeps a version's texts after the version changed them. A template
        last written by the system (its install, or an earlier reset) is still the
        shipped one and is reset with Odoo's own `reset_template` (fields and the
        translations of the installed languages); one a person edited, its text or a
        translation, keeps what they wrote. Returns the templates reset."""
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search([("module", "=", module), ("model", "=", self._name)])
        )
        templates = self.sudo().browse(data.mapped("res_id")).exists()
        shipped = templates.filtered(
            lambda template: template.template_fs and template.write_uid.id == SUPERUSER_ID
        )
        shipped.reset_template()
        kept = templates - shipped
        if kept:
            _logger.info(
                "%s: kept %d edited template(s) as they are (Reset Template reloads them): %s",
                self._name, len(kept), ", ".join(kept.mapped("name")),
            )  # fmt: skip
        return shipped
