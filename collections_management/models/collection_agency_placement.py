import base64
import csv
import io
from datetime import date

import xlsxwriter

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_round

from ..tools import COLLECTOR, MANAGER, check_range, requires_group, years_around

# The only columns of a placement file: who the debtor is and how to reach them, and
# the placed invoices. Nothing else about the debtor leaves the company.
PLACEMENT_FILE_COLUMNS = [
    ("placement", "Placement"),
    ("date_placed", "Placement Date"),
    ("debtor", "Debtor"),
    ("vat", "Tax ID"),
    ("street", "Street"),
    ("street2", "Street 2"),
    ("zip", "ZIP"),
    ("city", "City"),
    ("state", "State"),
    ("country", "Country"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("invoice", "Invoice Number"),
    ("invoice_date", "Invoice Date"),
    ("due_date", "Due Date"),
    ("amount", "Invoice Amount"),
    ("balance", "Balance"),
    ("currency", "Currency"),
]


class CollectionAgencyPlacement(models.Model):
    _name = "collection.agency.placement"
    _description = "Agency Placement"
    _inherit = ["collection.case.document"]
    _order = "date_placed desc, id desc"
    _check_company_auto = True
    _sequence_date_field = "date_placed"
    # set when the case is placed, by Recall / Close and by the commission billing
    _system_fields = ("name", "state", "amount_placed", "date_end", "previous_stage_id", "bill_ids")

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    agency_id = fields.Many2one(
        "res.partner",
        string="Agency",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=[("is_collection_agency", "=", True)],
    )
    commission_rate = fields.Float(
        string="Commission Rate (%)",
        digits=(5, 2),
        compute="_compute_commission_rate",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Percentage of what is recovered after placement that the agency earns.",
    )
    move_ids = fields.Many2many(
        "account.move",
        "collection_agency_placement_move_rel",
        "placement_id",
        "move_id",
        string="Placed Invoices",
        check_company=True,
        domain="[('collection_case_id', '=', case_id), ('amount_residual', '>', 0)]",
    )
    date_placed = fields.Date(
        string="Placement Date",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="At most 10 years ago and a year ahead.",
    )
    date_end = fields.Date(
        string="Ended On", readonly=True, copy=False, help="Recall or closing date."
    )
    amount_placed = fields.Monetary(
        readonly=True, copy=False, help="Open balance of the placed invoices at placement."
    )
    state = fields.Selection(
        [("placed", "Placed"), ("recalled", "Recalled"), ("closed", "Closed")],
        default="placed",
        required=True,
        tracking=True,
        index=True,
        copy=False,
        help="Placed: the agency collects and the follow-up run leaves the invoices "
        "alone. Recalled: the company takes the case back and follow-up resumes. "
        "Closed: the agency's work is over.",
    )
    previous_stage_id = fields.Many2one(
        "collection.stage",
        readonly=True,
        copy=False,
        check_company=True,
        help="The case's stage before placement.",
    )
    remittance_ids = fields.One2many(
        "collection.agency.remittance", "placement_id", string="Remittances"
    )
    amount_paid_direct = fields.Monetary(
        string="Paid to the Company",
        compute="_compute_amounts",
        help="Payments reconciled on the placed invoices during the placement, except "
        "those recorded for an agency remittance (counted there).",
    )
    amount_remitted = fields.Monetary(
        string="Collected by the Agency",
        compute="_compute_amounts",
        help="Gross amount the agency reports it collected (before its commission).",
    )
    amount_recovered = fields.Monetary(
        string="Recovered", compute="_compute_amounts", help="Paid to the company + collected."
    )
    amount_commission = fields.Monetary(
        string="Commission", compute="_compute_amounts", help="Rate x recovered."
    )
    amount_commission_billed = fields.Monetary(
        string="Commission Billed", compute="_compute_amounts"
    )
    amount_commission_retained = fields.Monetary(
        string="Commission Retained",
        compute="_compute_amounts",
        help="Commission the agency already kept from net remittances.",
    )
    bill_ids = fields.Many2many(
        "account.move",
        "collection_agency_placement_bill_rel",
        "placement_id",
        "move_id",
        string="Commission Bills",
        readonly=True,
        copy=False,
        check_company=True,
    )
    bill_count = fields.Integer(compute="_compute_amounts")
    note = fields.Text(help="Internal: never exported to the agency.")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("agency_id")
    def _compute_commission_rate(self):
        for placement in self:
            placement.commission_rate = placement.agency_id.collection_commission_rate

    @api.depends(
        "remittance_ids.amount_gross",
        "remittance_ids.amount_commission",
        "commission_rate",
        "bill_ids.state",
        "bill_ids.amount_untaxed",
    )
    def _compute_amounts(self):
        direct = self._direct_payments()
        for placement in self:
            rounding = placement.currency_id.rounding
            remitted = sum(placement.remittance_ids.mapped("amount_gross"))
            paid = direct.get(placement.id, 0.0)
            placement.amount_paid_direct = paid
            placement.amount_remitted = remitted
            placement.amount_recovered = paid + remitted
            placement.amount_commission = float_round(
                paid * placement.commission_rate / 100.0, precision_rounding=rounding
            ) + sum(placement.remittance_ids.mapped("amount_commission"))
            placement.amount_commission_retained = sum(
                placement.remittance_ids.filtered(lambda r: r.basis == "net").mapped(
                    "amount_commission"
                )
            )
            bills = placement.bill_ids.filtered(lambda b: b.state != "cancel")
            placement.amount_commission_billed = sum(bills.mapped("amount_untaxed"))
            placement.bill_count = len(placement.bill_ids)

    def _direct_payments(self):
        """{placement id: amount} the debtor paid the company on the placed invoices
        during the placement, in one query.

        Counted: reconciliations of the invoices' receivable lines with a payment or a
        bank statement line dated on or after the placement date (and up to its end).
        Not counted: credit notes and write-offs (no money came in), and the entries an
        accountant recorded for an agency remittance (that money is counted once, as the
        remittance)."""
        placements = self.filtered("id")
        if not placements:
            return {}
        windows = [
            (placement.id, move.id, placement.date_placed, placement.date_end or date.max)
            for placement in placements
            for move in placement.move_ids
        ]
        remitted = placements.remittance_ids.payment_move_id.ids
        return self.env["account.move"]._collection_cash_received(windows, remitted)

    @api.depends("name", "agency_id", "partner_id")
    def _compute_display_name(self):
        for placement in self:
            placement.display_name = (
                f"{placement.name} - {placement.partner_id.name or ''} "
                f"@ {placement.agency_id.name or ''}"
            )

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("date_placed")
    def _check_date_placed(self):
        check_range(self, "date_placed", *years_around(fields.Date.context_today(self), ahead=1))

    @api.constrains("commission_rate")
    def _check_commission_rate(self):
        for placement in self:
            if not 0 <= placement.commission_rate < 100:
                raise ValidationError(
                    self.env._("The commission rate must be between 0 and 100 (exclusive).")
                )

    @api.constrains("move_ids", "state")
    def _check_moves(self):
        for placement in self.filtered(lambda p: p.state == "placed"):
            if not placement.move_ids:
                raise ValidationError(
                    self.env._("Choose the invoices to place with %s.", placement.agency_id.name)
                )
            foreign = placement.move_ids.filtered(
                lambda m, p=placement: m.commercial_partner_id != p.partner_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Invoices %(invoices)s are not the debtor %(debtor)s's.",
                        invoices=", ".join(foreign.mapped("name")),
                        debtor=placement.partner_id.name,
                    )
                )
        active = self.search(
            [
                ("state", "=", "placed"),
                ("move_ids", "in", self.filtered(lambda p: p.state == "placed").move_ids.ids),
            ]
        )
        seen = {}
        for placement in active:
            for move in placement.move_ids:
                if move.id in seen and seen[move.id] != placement:
                    raise ValidationError(
                        self.env._(
                            "Invoice %(invoice)s is already placed (%(placement)s): "
                            "recall that placement first.",
                            invoice=move.name,
                            placement=seen[move.id].name,
                        )
                    )
                seen[move.id] = placement

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        placements = super().create(vals_list)
        placements._place()
        return placements

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _placed_debtor_new_move_ids(self, company):
        """Ids of the open invoices of debtors placed with an agency that fall due on or
        after the (first) placement date, when the debtor's policy pauses placed
        debtors: the debtor hears from the agency only. Invoices already overdue at the
        placement and kept by the company are still followed up. Three queries."""
        placed = self._read_group(
            [("company_id", "=", company.id), ("state", "=", "placed")],
            ["partner_id"],
            ["date_placed:min"],
        )
        if not placed:
            return set()
        partners = self.env["res.partner"].concat(*(partner for partner, _date in placed))
        policies = self.env["collection.policy"]._get_partner_policies(partners, company)
        since = [
            (partner.id, date_placed)
            for partner, date_placed in placed
            if policies.get(partner.id) and policies[partner.id].pause_placed_debtors
        ]
        if not since:
            return set()
        lines = self.env["collection.case"]._receivable_lines_query(company)
        self.env["account.move.line"].flush_model(["move_id", "date_maturity"])
        self.env["account.move"].flush_model(["commercial_partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT aml.move_id
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN (VALUES %(since)s) AS placed(partner_id, date_placed)
                    ON placed.partner_id = move.commercial_partner_id
                 WHERE aml.id IN (%(lines)s)
              GROUP BY aml.move_id, placed.date_placed
                HAVING MIN(aml.date_maturity) >= placed.date_placed
                """,
                since=SQL(", ").join(
                    SQL("(%s, %s::date)", partner_id, date_placed)
                    for partner_id, date_placed in since
                ),
                lines=lines.subselect(),
            )
        )
        return {move_id for (move_id,) in rows}

    def _place(self):
        """Check the agency's conditions, record the placed amount and move the case to
        the agency stage."""
        today = fields.Date.context_today(self)
        notes = []
        for placement in self:
            agency = placement.agency_id
            if not agency.is_collection_agency:
                raise UserError(
                    self.env._("%s is not flagged as a collection agency.", agency.name)
                )
            if not placement.case_id.is_open:
                raise UserError(
                    self.env._("Case %s is closed: nothing to place.", placement.case_id.name)
                )
            open_moves = placement.move_ids.filtered(lambda m: m.amount_residual > 0)
            if open_moves != placement.move_ids:
                raise UserError(
                    self.env._(
                        "Invoices %s have nothing left to collect.",
                        ", ".join((placement.move_ids - open_moves).mapped("name")),
                    )
                )
            amount = sum(open_moves.mapped("amount_residual_signed"))
            if agency.collection_agency_min_amount and amount < agency.collection_agency_min_amount:
                raise UserError(
                    self.env._(
                        "%(agency)s takes placements of at least %(minimum)s; these invoices "
                        "come to %(amount)s.",
                        agency=agency.name,
                        minimum=placement.currency_id.format(agency.collection_agency_min_amount),
                        amount=placement.currency_id.format(amount),
                    )
                )
            if agency.collection_agency_min_days:
                too_recent = open_moves.filtered(
                    lambda m, a=agency: (
                        not m.invoice_date_due
                        or (today - m.invoice_date_due).days < a.collection_agency_min_days
                    )
                )
                if too_recent:
                    raise UserError(
                        self.env._(
                            "%(agency)s takes only invoices at least %(days)s days overdue: "
                            "%(invoices)s are not.",
                            agency=agency.name,
                            days=agency.collection_agency_min_days,
                            invoices=", ".join(too_recent.mapped("name")),
                        )
                    )
            stage = self.env["collection.stage"]._get_stage_by_type("agency", placement.company_id)
            case = placement.case_id
            values = {"amount_placed": amount}
            if stage and case.stage_id != stage:
                values["previous_stage_id"] = case.stage_id.id
            placement.sudo().write(values)
            if stage:
                case.stage_id = stage
            notes.append(
                (
                    case,
                    self.env._(
                        "Placed with %(agency)s (%(placement)s): %(count)s invoice(s), "
                        "%(amount)s. Follow-up stops for these invoices.",
                        agency=agency.name,
                        placement=placement.name,
                        count=len(open_moves),
                        amount=placement.currency_id.format(amount),
                    ),
                )
            )
        self.env["collection.case"]._log_messages(notes)

    def _export_rows(self):
        """The placement file: a header and one row per placed invoice, nothing else."""
        self.ensure_one()
        debtor = self.partner_id
        header = [label for _key, label in PLACEMENT_FILE_COLUMNS]
        rows = []
        for move in self.move_ids.sorted(lambda m: (m.invoice_date_due or m.date, m.id)):
            values = {
                "placement": self.name,
                "date_placed": fields.Date.to_string(self.date_placed),
                "debtor": debtor.name or "",
                "vat": debtor.vat or "",
                "street": debtor.street or "",
                "street2": debtor.street2 or "",
                "zip": debtor.zip or "",
                "city": debtor.city or "",
                "state": debtor.state_id.name or "",
                "country": debtor.country_id.name or "",
                "email": debtor.email or "",
                "phone": debtor.phone or "",
                "invoice": move.name,
                "invoice_date": fields.Date.to_string(move.invoice_date) or "",
                "due_date": fields.Date.to_string(move.invoice_date_due) or "",
                "amount": move.amount_total_signed,
                "balance": move.amount_residual_signed,
                "currency": move.company_currency_id.name,
            }
            rows.append([values[key] for key, _label in PLACEMENT_FILE_COLUMNS])
        return header, rows

    def _export_file(self, file_format):
        self.ensure_one()
        header, rows = self._export_rows()
        if file_format == "csv":
            stream = io.StringIO()
            writer = csv.writer(stream)
            writer.writerow(header)
            writer.writerows(rows)
            data = stream.getvalue().encode("utf-8-sig")
            mimetype = "text/csv"
        elif file_format == "xlsx":
            stream = io.BytesIO()
            workbook = xlsxwriter.Workbook(stream, {"in_memory": True})
            sheet = workbook.add_worksheet(self.name[:31])
            bold = workbook.add_format({"bold": True})
            sheet.write_row(0, 0, header, bold)
            for index, row in enumerate(rows, start=1):
                sheet.write_row(index, 0, row)
            workbook.close()
            data = stream.getvalue()
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            raise UserError(self.env._("Unknown file format %s.", file_format))
        filename = f"{self.name.replace('/', '-')}.{file_format}"
        return self.env["ir.attachment"].create(
            {
                "name": filename,
                "datas": base64.b64encode(data),
                "mimetype": mimetype,
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    def _action_export(self, file_format):
        attachment = self._export_file(file_format)
        self.message_post(
            body=self.env._("Placement file exported (%s).", file_format.upper()),
            attachment_ids=attachment.ids,
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    @requires_group(COLLECTOR, "read")
    def action_export_csv(self):
        self.ensure_one()
        return self._action_export("csv")

    @requires_group(COLLECTOR, "read")
    def action_export_xlsx(self):
        self.ensure_one()
        return self._action_export("xlsx")

    @requires_group(COLLECTOR)
    def action_recall(self):
        """Give the case back to the company: follow-up resumes for the invoices."""
        today = fields.Date.context_today(self)
        for placement in self:
            if placement.state != "placed":
                raise UserError(self.env._("Placement %s is not active.", placement.name))
            placement.sudo().write({"state": "recalled", "date_end": today})
            case = placement.case_id
            still_placed = self.search_count([("case_id", "=", case.id), ("state", "=", "placed")])
            if case.is_open and case.stage_type == "agency" and not still_placed:
                stage = placement.previous_stage_id
                if not stage or stage.is_closed or stage.stage_type == "agency":
                    stage = self.env["collection.stage"]._get_stage_by_type(
                        "open", placement.company_id
                    )
                case.stage_id = stage
        self.env["collection.case"]._log_messages(
            [
                (
                    placement.case_id,
                    self.env._(
                        "Placement %(placement)s recalled from %(agency)s: follow-up resumes.",
                        placement=placement.name,
                        agency=placement.agency_id.name,
                    ),
                )
                for placement in self
            ]
        )
        return True

    @requires_group(COLLECTOR)
    def action_close(self):
        """The agency's work is over (paid, or returned as uncollectable)."""
        for placement in self:
            if placement.state != "placed":
                raise UserError(self.env._("Placement %s is not active.", placement.name))
        self.sudo().write({"state": "closed", "date_end": fields.Date.context_today(self)})
        return True

    @requires_group(MANAGER)
    def action_create_commission_bill(self):
        """A draft vendor bill from the agency for the commission not billed yet.

        It bills all the commission earned, including what the agency already kept
        from net remittances (that part is settled by netting, as the bill says)."""
        self.ensure_one()
        company = self.company_id
        account = company.collection_commission_account_id
        if not account:
            raise UserError(
                self.env._(
                    "Set the agency commission account in Collections > Configuration > "
                    "Settings first."
                )
            )
        to_bill = self.currency_id.round(self.amount_commission - self.amount_commission_billed)
        if self.currency_id.compare_amounts(to_bill, 0) <= 0:
            raise UserError(self.env._("All the commission of %s is billed already.", self.name))
        retained = self.amount_commission_retained
        narration = self.env._(
            "Commission of %(rate)s%% on %(recovered)s recovered (placement %(placement)s).",
            rate=self.commission_rate,
            recovered=self.currency_id.format(self.amount_recovered),
            placement=self.name,
        )
        if retained:
            narration += " " + self.env._(
                "%s was already kept by the agency from its net remittances: settle that "
                "part against the remittances, do not pay it again.",
                self.currency_id.format(retained),
            )
        bill = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": self.agency_id.id,
                    "company_id": company.id,
                    "invoice_date": fields.Date.context_today(self),
                    "ref": self.name,
                    "narration": narration,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._(
                                    "Collection commission %(placement)s - %(debtor)s",
                                    placement=self.name,
                                    debtor=self.partner_id.name,
                                ),
                                "account_id": account.id,
                                "quantity": 1,
                                "price_unit": to_bill,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )
        self.sudo().bill_ids = [Command.link(bill.id)]
        self.message_post(
            body=self.env._(
                "Draft commission bill of %s created for the accountant to post.",
                self.currency_id.format(to_bill),
            )
        )
        return self.action_view_bills()

    @requires_group(COLLECTOR, "read")
    def action_view_bills(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_in_invoice_type"
        )
        action.update(
            {
                "domain": [("id", "in", self.bill_ids.ids)],
                "context": {"default_move_type": "in_invoice", "create": False},
            }
        )
        if len(self.bill_ids) == 1:
            action.update(views=[(False, "form")], view_mode="form", res_id=self.bill_ids.id)
        return action

    @requires_group(COLLECTOR)
    def action_add_remittance(self):
        self.ensure_one()
        return self.env["collection.agency.remittance"]._get_records_action(
            name=self.env._("Agency Remittance"),
            target="new",
            context={"default_placement_id": self.id},
        )
