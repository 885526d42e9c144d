from odoo import models
from odoo.tools import SQL


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _collection_credit_orders(self, company):
        """{commercial partner id: confirmed sales orders not invoiced yet}, taxes
        included, in the company currency, by the invoiced partner's commercial
        partner. One query for all the partners, on `_search` so that record rules
        apply."""
        result = super()._collection_credit_orders(company)
        partners = self.commercial_partner_id
        if not partners:
            return result
        lines = self.env["sale.order.line"]._search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("untaxed_amount_to_invoice", ">", 0),
                ("order_id.partner_invoice_id.commercial_partner_id", "in", partners.ids),
            ]
        )
        self.env["sale.order.line"].flush_model(
            ["order_id", "untaxed_amount_to_invoice", "price_subtotal", "price_total"]
        )
        self.env["sale.order"].flush_model(["partner_invoice_id", "currency_rate"])
        self.flush_model(["commercial_partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT partner.commercial_partner_id,
                       SUM(line.untaxed_amount_to_invoice
                           * CASE WHEN line.price_subtotal <> 0
                                  THEN line.price_total / line.price_subtotal ELSE 1 END
                           / COALESCE(NULLIF(sale.currency_rate, 0), 1))
                  FROM sale_order_line line
                  JOIN sale_order sale ON sale.id = line.order_id
                  JOIN res_partner partner ON partner.id = sale.partner_invoice_id
                 WHERE line.id IN (%s)
              GROUP BY partner.commercial_partner_id
                """,
                lines.subselect(),
            )
        )
        for partner_id, amount in rows:
            result[partner_id] = result.get(partner_id, 0.0) + company.currency_id.round(amount)
        return result
