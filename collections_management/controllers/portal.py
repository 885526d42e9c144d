"""The customer portal: a debtor's page of what it owes, under /my/collections.

A portal user sees its own commercial partner's page; anyone else needs the page's
secure link (the access token of one of the debtor's cases, as in Odoo's invoice
links). Every route reads the debtor's records in sudo after `_collection_page`
checked who asks; a record of another debtor answers 404. Payments go through
account_payment (`_process_transaction`: a `payment.transaction` with `invoice_ids`),
so Odoo reconciles them and the case closes by itself."""

from werkzeug.exceptions import Forbidden, NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import content_disposition, request
from odoo.tools import consteq, format_date

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.account_payment.controllers.portal import PortalAccount

from ..models.collection_contact import CHANNELS, OPTOUT_FIELD

OPEN_INVOICE_DOMAIN = [
    ("move_type", "in", ("out_invoice", "out_receipt")),
    ("state", "=", "posted"),
    ("payment_state", "not in", ("paid", "in_payment", "reversed")),
    ("amount_residual", ">", 0),
]


class CollectionPortal(PortalAccount, PaymentPortal):
    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def _collection_user_case(self):
        """The logged-in portal user's page: its debtor's open case, else its latest."""
        if request.env.user._is_public():
            return request.env["collection.case"]
        partner = request.env.user.partner_id.commercial_partner_id
        return (
            request.env["collection.case"]
            .sudo()
            .search(
                [("partner_id", "=", partner.id)],
                order="is_open desc, date_open desc, id desc",
                limit=1,
            )
        )

    def _collection_page(self, case_id, access_token=None):
        """The case (sudo) whose page is asked for, if the caller may see it: its debtor's
        portal user, or whoever has its secure link. MissingError, else AccessError."""
        case = request.env["collection.case"].sudo().browse(case_id).exists()
        if not case:
            raise MissingError(request.env._("This page does not exist."))
        user = request.env.user
        if not user._is_public() and user.partner_id.commercial_partner_id == case.partner_id:
            return case
        if access_token and case.access_token and consteq(case.access_token, access_token):
            return case
        raise AccessError(request.env._("You are not allowed to see this page."))

    @staticmethod
    def _collection_pdf(content, filename):
        return request.make_response(
            content,
            [
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", content_disposition(filename, "inline")),
            ],
        )

    def _collection_guard(self, case_id, access_token):
        try:
            return self._collection_page(case_id, access_token)
        except MissingError:
            raise NotFound() from None
        except AccessError:
            raise Forbidden() from None

    # ------------------------------------------------------------------
    # Values
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "collection_overdue" in counters:
            values["collection_overdue"] = self._collection_overdue_label()
        return values

    def _collection_overdue_label(self):
        """The overdue total of the user's debtor, formatted, or 0 (the card hides)."""
        case = self._collection_user_case()
        if not case:
            return 0
        invoices = self._collection_invoices(case)
        today = fields.Date.context_today(case)
        overdue = sum(m.amount_residual for m in invoices if m.invoice_date_due < today)
        return case.currency_id.format(overdue) if overdue else 0

    def _collection_invoices(self, case):
        return (
            request.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", case.partner_id.id),
                    ("company_id", "=", case.company_id.id),
                    *OPEN_INVOICE_DOMAIN,
                ],
                order="invoice_date_due, id",
            )
        )

    def _collection_query(self, case, access_token=None):
        """The query string that keeps the caller on its page (the token when it has one)."""
        return f"?access_token={access_token}" if access_token else ""

    def _collection_page_values(self, case, access_token=None, **kwargs):
        invoices = self._collection_invoices(case)
        today = fields.Date.context_today(case)
        overdue = invoices.filtered(lambda m: m.invoice_date_due < today)
        partner = case.partner_id
        promises = (
            request.env["collection.promise"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", case.company_id.id),
                    ("state", "in", ("requested", "open")),
                ]
            )
        )
        disputes = (
            request.env["collection.dispute"]
            .sudo()
            .search(
                [("partner_id", "=", partner.id), ("company_id", "=", case.company_id.id)],
                order="date desc, id desc",
                limit=20,
            )
        )
        plans = (
            request.env["collection.payment.plan"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", case.company_id.id),
                    "|",
                    ("state", "=", "active"),
                    "&",
                    ("state", "=", "draft"),
                    ("is_proposed", "=", True),
                ]
            )
        )
        letters = (
            request.env["collection.communication"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", case.company_id.id),
                    ("letter_attachment_id", "!=", False),
                ],
                order="date desc, id desc",
                limit=20,
            )
        )
        statements = self._collection_statements_sent(case)
        policy = request.env["collection.policy"]._get_partner_policies(partner, case.company_id)[
            partner.id
        ]
        reasons = request.env["collection.dispute.reason"].sudo().search([])
        query = self._collection_query(case, access_token)
        return {
            "page_name": "collections",
            "case": case,
            "debtor": partner,
            "currency": case.currency_id,
            "invoices": invoices,
            "overdue_ids": set(overdue.ids),
            "today": today,
            "amount_total": sum(invoices.mapped("amount_residual")),
            "amount_overdue": sum(overdue.mapped("amount_residual")),
            "statuses": self._collection_statuses(case, promises, plans, disputes),
            "promises": promises,
            "disputes": disputes,
            "plans": plans,
            "letters": letters,
            "statements": statements,
            "policy": policy,
            "reasons": reasons,
            "collection_token": access_token or "",
            "collection_query": query,
            "collection_url": f"/my/collections/{case.id}",
            "message": request.session.pop("collection_portal_message", None),
            "error": request.session.pop("collection_portal_error", None),
        }

    def _collection_statements_sent(self, case):
        """The statements emailed to the debtor: the PDFs of the messages on it."""
        messages = (
            request.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", case.partner_id.id),
                    ("message_type", "in", ("comment", "email", "email_outgoing")),
                    ("attachment_ids", "!=", False),
                ],
                order="date desc, id desc",
                limit=50,
            )
        )
        return messages.attachment_ids.filtered(
            lambda a: a.name.startswith("Statement") and a.mimetype == "application/pdf"
        )

    def _collection_statuses(self, case, promises, plans, disputes):
        """The account's status in the customer's words: no stage, score or note."""
        env = request.env
        statuses = []
        holds = (
            env["collection.hold"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "=", case.partner_id.id),
                    ("company_id", "=", case.company_id.id),
                    ("is_active", "=", True),
                ],
                limit=1,
            )
        )
        if holds:
            statuses.append(env._("Your account is on hold: we are not sending you reminders."))
        for promise in promises:
            values = {
                "amount": promise.currency_id.format(promise.amount),
                "date": format_date(env, promise.date_promised),
            }
            if promise.state == "requested":
                statuses.append(
                    env._(
                        "Your proposal to pay %(amount)s by %(date)s is waiting for our answer.",
                        **values,
                    )
                )
            else:
                statuses.append(
                    env._("We have recorded your promise to pay %(amount)s by %(date)s.", **values)
                )
        for plan in plans.filtered(lambda p: p.state == "active"):
            statuses.append(
                env._(
                    "You are on a payment plan: next instalment %(amount)s on %(date)s.",
                    amount=plan.currency_id.format(plan.next_due_amount),
                    date=format_date(env, plan.next_due_date) if plan.next_due_date else "-",
                )
            )
        for dispute in disputes.filtered("is_active"):
            statuses.append(
                env._(
                    "Invoice %(invoice)s is in dispute: we are looking into it.",
                    invoice=dispute.move_id.name,
                )
            )
        return statuses

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------
    @http.route("/my/collections", type="http", auth="user", website=True)
    def portal_my_collections(self, **kwargs):
        case = self._collection_user_case()
        if not case:
            return request.render("collections_management.portal_collections_empty", {})
        return request.render(
            "collections_management.portal_collections_page",
            self._collection_page_values(case, **kwargs),
        )

    @http.route("/my/collections/<int:case_id>", type="http", auth="public", website=True)
    def portal_collections_page(self, case_id, access_token=None, **kwargs):
        case = self._collection_guard(case_id, access_token)
        return request.render(
            "collections_management.portal_collections_page",
            self._collection_page_values(case, access_token, **kwargs),
        )

    @http.route(
        "/my/collections/<int:case_id>/letter/<int:communication_id>",
        type="http",
        auth="public",
        website=True,
    )
    def portal_collections_letter(self, case_id, communication_id, access_token=None, **kwargs):
        case = self._collection_guard(case_id, access_token)
        communication = request.env["collection.communication"].sudo().browse(communication_id)
        attachment = communication.exists().letter_attachment_id
        if not attachment or communication.partner_id != case.partner_id:
            raise NotFound()
        return self._collection_pdf(attachment.raw, attachment.name)

    @http.route(
        "/my/collections/<int:case_id>/statement/<int:attachment_id>",
        type="http",
        auth="public",
        website=True,
    )
    def portal_collections_statement_sent(
        self, case_id, attachment_id, access_token=None, **kwargs
    ):
        case = self._collection_guard(case_id, access_token)
        attachment = self._collection_statements_sent(case).filtered(
            lambda a: a.id == attachment_id
        )
        if not attachment:
            raise NotFound()
        return self._collection_pdf(attachment.raw, attachment.name)

    @http.route("/my/collections/<int:case_id>/statement", type="http", auth="public", website=True)
    def portal_collections_statement(self, case_id, access_token=None, **kwargs):
        case = self._collection_guard(case_id, access_token)
        pdf, _format = (
            request.env["ir.actions.report"]
            .sudo()
            .with_company(case.company_id)
            ._render_qweb_pdf(
                "collections_management.action_report_collection_statement",
                res_ids=case.partner_id.ids,
            )
        )
        return self._collection_pdf(pdf, "statement.pdf")

    @http.route(
        "/my/collections/<int:case_id>/invoice/<int:invoice_id>",
        type="http",
        auth="public",
        website=True,
    )
    def portal_collections_invoice(self, case_id, invoice_id, access_token=None, **kwargs):
        """The invoice's own portal PDF, through its own access token."""
        case = self._collection_guard(case_id, access_token)
        invoice = request.env["account.move"].sudo().browse(invoice_id).exists()
        if not invoice or invoice.commercial_partner_id != case.partner_id:
            raise NotFound()
        return request.redirect(
            invoice.get_portal_url(report_type="pdf", download=True), local=True
        )

    # ------------------------------------------------------------------
    # Pay online: account_payment's transaction, with the invoices chosen
    # ------------------------------------------------------------------
    def _collection_chosen_invoices(self, case, invoice_ids):
        """The debtor's open invoices among `invoice_ids`; anything else is refused."""
        try:
            ids = {int(i) for i in (invoice_ids or [])}
        except (TypeError, ValueError):
            raise ValidationError(request.env._("The invoices chosen are not valid.")) from None
        invoices = self._collection_invoices(case).filtered(lambda m: m.id in ids)
        if not ids or len(invoices) != len(ids):
            raise ValidationError(
                request.env._("Choose among your open invoices: some of those sent are not.")
            )
        return invoices

    @http.route(
        "/my/collections/<int:case_id>/pay",
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
    )
    def portal_collections_pay(self, case_id, access_token=None, **kwargs):
        """The payment form for the invoices chosen on the page."""
        case = self._collection_guard(case_id, access_token)
        try:
            invoices = self._collection_chosen_invoices(
                case, request.httprequest.args.getlist("invoice_ids")
            )
        except ValidationError as error:
            return self._collection_redirect(case, access_token, error=error.args[0])
        query = "&".join(f"invoice_ids={invoice_id}" for invoice_id in invoices.ids)
        return self._collection_render_payment(
            case, access_token, invoices, sum(invoices.mapped("amount_residual")), query
        )

    @http.route(
        "/my/collections/<int:case_id>/plan/<int:plan_id>/pay",
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
    )
    def portal_collections_pay_instalment(self, case_id, plan_id, access_token=None, **kwargs):
        """The payment form for the next instalment of an active plan."""
        case = self._collection_guard(case_id, access_token)
        plan = self._collection_plan(case, plan_id, states=("active",))
        invoices, amount = self._collection_instalment(case, plan)
        return self._collection_render_payment(
            case, access_token, invoices, amount, f"plan_id={plan.id}", plan=plan
        )

    def _collection_plan(self, case, plan_id, states):
        plan = request.env["collection.payment.plan"].sudo().browse(plan_id).exists()
        if not plan or plan.partner_id != case.partner_id or plan.state not in states:
            raise NotFound()
        return plan

    def _collection_instalment(self, case, plan):
        """The invoices of the plan still open, and what its next instalment asks."""
        invoices = self._collection_invoices(case) & plan.move_ids
        amount = min(plan.next_due_amount, sum(invoices.mapped("amount_residual")))
        if not invoices or case.currency_id.compare_amounts(amount, 0.0) <= 0:
            raise NotFound()
        return invoices, amount

    def _collection_render_payment(self, case, access_token, invoices, amount, query, plan=None):
        values = self._collection_page_values(case, access_token)
        reference = (
            invoices.name
            if len(invoices) == 1
            else case.company_id.get_next_batch_payment_communication()
        )
        values.update(
            self._get_common_page_view_values(
                invoices_data={
                    "partner": case.partner_id,
                    "company": case.company_id,
                    "total_amount": amount,
                    "currency": case.currency_id,
                    "amount_residual": amount,
                    "payment_reference": reference,
                    "landing_route": f"/my/collections/{case.id}"
                    f"{self._collection_query(case, access_token)}",
                    "transaction_route": f"/my/collections/{case.id}/transaction?{query}",
                },
                access_token=access_token or "",
            )
        )
        values.update(
            {
                "amount": amount,
                "pay_invoices": invoices,
                "pay_plan": plan,
                "payment_reference": reference,
            }
        )
        return request.render("collections_management.portal_collections_pay", values)

    @http.route(
        "/my/collections/<int:case_id>/plan/<int:plan_id>/agreement",
        type="http",
        auth="public",
        website=True,
    )
    def portal_collections_plan_agreement(self, case_id, plan_id, access_token=None, **kwargs):
        case = self._collection_guard(case_id, access_token)
        plan = self._collection_plan(case, plan_id, states=("draft", "active"))
        if plan.state == "draft" and not plan.is_proposed:
            raise NotFound()
        pdf, _format = (
            request.env["ir.actions.report"]
            .sudo()
            .with_company(case.company_id)
            ._render_qweb_pdf("collections_management.action_report_payment_plan", res_ids=plan.ids)
        )
        return self._collection_pdf(pdf, f"{plan.name}.pdf")

    @http.route(
        "/my/collections/<int:case_id>/plan/<int:plan_id>/accept",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def portal_collections_plan_accept(self, case_id, plan_id, access_token=None, **post):
        case = self._collection_guard(case_id, access_token)
        plan = self._collection_plan(case, plan_id, states=("draft",))
        try:
            with request.env.cr.savepoint():
                plan._portal_accept()
        except (UserError, ValidationError) as error:
            return self._collection_redirect(case, access_token, error=error.args[0])
        return self._collection_redirect(
            case,
            access_token,
            message=request.env._("Thank you: your payment plan is agreed."),
        )

    @http.route("/my/collections/<int:case_id>/transaction", type="jsonrpc", auth="public")
    def portal_collections_transaction(
        self, case_id, access_token=None, payment_reference=None, **kwargs
    ):
        """A draft transaction for the chosen invoices, for what is open on them, or for
        the next instalment of a plan on the plan's invoices."""
        try:
            case = self._collection_page(case_id, access_token or None)
        except (MissingError, AccessError):
            raise ValidationError(request.env._("The access token is invalid.")) from None
        # the amount is what is open on the invoices (or the instalment), whatever the
        # browser says
        args = request.httprequest.args
        if args.get("plan_id"):
            try:
                plan = self._collection_plan(case, int(args["plan_id"]), states=("active",))
                invoices, kwargs["amount"] = self._collection_instalment(case, plan)
            except (ValueError, NotFound):
                raise ValidationError(request.env._("This plan has nothing to pay.")) from None
        else:
            invoices = self._collection_chosen_invoices(case, args.getlist("invoice_ids"))
            kwargs["amount"] = sum(invoices.mapped("amount_residual"))
        logged_in = not request.env.user._is_public()
        partner = request.env.user.partner_id if logged_in else case.partner_id
        self._validate_transaction_kwargs(kwargs)
        return self._process_transaction(
            partner.id, case.currency_id.id, invoices.ids, payment_reference, **kwargs
        )

    # ------------------------------------------------------------------
    # Promise and dispute from the portal
    # ------------------------------------------------------------------
    def _collection_redirect(self, case, access_token, message=None, error=None):
        """Back to the page, which shows the message or the error once."""
        if message:
            request.session["collection_portal_message"] = message
        if error:
            request.session["collection_portal_error"] = error
        return request.redirect(
            f"/my/collections/{case.id}{self._collection_query(case, access_token)}"
        )

    @http.route(
        "/my/collections/<int:case_id>/promise",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def portal_collections_promise(self, case_id, access_token=None, **post):
        case = self._collection_guard(case_id, access_token)
        invoice_ids = request.httprequest.form.getlist("invoice_ids")
        try:
            with request.env.cr.savepoint():
                promise = (
                    request.env["collection.promise"]
                    .sudo()
                    ._portal_propose(
                        case,
                        invoice_ids,
                        post.get("amount"),
                        post.get("date_promised"),
                        post.get("note"),
                    )
                )
        except (UserError, ValidationError) as error:
            return self._collection_redirect(case, access_token, error=error.args[0])
        if promise.state == "requested":
            message = request.env._(
                "Thank you: your proposal is sent to us; we will tell you our answer by email."
            )
        else:
            message = request.env._("Thank you: your promise is recorded.")
        return self._collection_redirect(case, access_token, message=message)

    @http.route(
        "/my/collections/<int:case_id>/dispute",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def portal_collections_dispute(self, case_id, access_token=None, **post):
        case = self._collection_guard(case_id, access_token)
        files = [
            (upload.filename, upload.read())
            for upload in request.httprequest.files.getlist("attachments")
            if upload.filename
        ]
        try:
            with request.env.cr.savepoint():
                request.env["collection.dispute"].sudo()._portal_open(
                    case,
                    post.get("invoice_id"),
                    post.get("amount"),
                    post.get("reason_id"),
                    post.get("description"),
                    files,
                )
        except (UserError, ValidationError) as error:
            return self._collection_redirect(case, access_token, error=error.args[0])
        return self._collection_redirect(
            case,
            access_token,
            message=request.env._("Thank you: your dispute is recorded; we are looking into it."),
        )

    # ------------------------------------------------------------------
    # Opt-out of a channel, from the link in a consumer debtor's email
    # ------------------------------------------------------------------
    @http.route(
        "/my/collections/<int:case_id>/optout/<string:channel>",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_collections_optout(self, case_id, channel, access_token=None, **post):
        """GET asks to confirm (a mail scanner opening the link opts nobody out); POST
        records the opt-out on the debtor and an inbound portal contact in its log."""
        case = self._collection_guard(case_id, access_token)
        if channel not in OPTOUT_FIELD:
            raise NotFound()
        label = dict(CHANNELS)[channel].lower()
        if request.httprequest.method == "POST":
            debtor = case.partner_id
            field = OPTOUT_FIELD[channel]
            if not debtor[field]:
                debtor.write({field: True})
            request.env["collection.contact"].sudo().create(
                {
                    "case_id": case.id,
                    "partner_id": debtor.id,
                    "company_id": case.company_id.id,
                    "user_id": case.user_id.id,
                    "channel": "portal",
                    "direction": "inbound",
                    "outcome": "reached",
                    "note": request.env._("Opted out of %s through the link in our email.", label),
                }
            )
            return self._collection_redirect(
                case,
                access_token,
                message=request.env._("Done: we will no longer contact you by %s.", label),
            )
        return request.render(
            "collections_management.portal_collections_optout",
            {
                "page_name": "collections",
                "case": case,
                "channel": channel,
                "label": label,
                "collection_token": access_token or "",
                "collection_url": f"/my/collections/{case.id}",
            },
        )

    # ------------------------------------------------------------------
    # A dispute's page: its status and Odoo's portal chatter
    # ------------------------------------------------------------------
    @http.route(
        "/my/collections/<int:case_id>/dispute/<int:dispute_id>",
        type="http",
        auth="public",
        website=True,
    )
    def portal_collections_dispute_page(self, case_id, dispute_id, access_token=None, **kwargs):
        """Open with the debtor's page (its user or its link) or with the dispute's own
        token (the link in the dispute's notifications)."""
        dispute = request.env["collection.dispute"].sudo().browse(dispute_id).exists()
        if (
            dispute
            and access_token
            and dispute.access_token
            and dispute.case_id.id == case_id
            and consteq(dispute.access_token, access_token)
        ):
            case = dispute.case_id
        else:
            case = self._collection_guard(case_id, access_token)
        if not dispute or dispute.partner_id != case.partner_id:
            raise NotFound()
        return request.render(
            "collections_management.portal_collections_dispute_page",
            {
                "page_name": "collections",
                "case": case,
                "dispute": dispute,
                "state_label": dict(
                    dispute._fields["state"]._description_selection(request.env)
                ).get(dispute.state),
                # Odoo's portal chatter posts with the dispute's token, as the debtor
                "object": dispute,
                "token": dispute._portal_ensure_token(),
                "collection_url": f"/my/collections/{case.id}",
                "collection_query": self._collection_query(case, access_token),
            },
        )
