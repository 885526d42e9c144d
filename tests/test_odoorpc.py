"""Driven from outside as an integration partner drives Odoo: OdooRPC (the `odoorpc`
package, Odoo's external JSON-RPC API) against a real server on the demo database.
The administrator builds the debtors each test needs, so nothing depends on the state
the other tests leave."""

import datetime
import itertools
import uuid

import odoorpc
import pytest
from lxml import etree

ADDONS = ("collections_management", "collections_management_sale")
COLLECTOR = "collections_management.group_collections_collector"
# The groups a collector lacks: a button shown only to them must refuse a collector.
ABOVE_COLLECTOR = {
    "collections_management.group_collections_manager",
    "collections_management.group_collections_admin",
    "collections_management.group_collections_credit_override",
    "base.group_system",
}
_serial = itertools.count(1)


@pytest.fixture
def connect(odoo_server):
    """connect(login, password=login): an OdooRPC session on the test server."""

    def _connect(login, password=None):
        odoo = odoorpc.ODOO("127.0.0.1", port=odoo_server.port, timeout=180)
        odoo.login(odoo_server.db, login, password or login)
        return odoo

    return _connect


@pytest.fixture
def admin(connect):
    return connect("admin")


def ref(odoo, xmlid):
    module, name = xmlid.split(".")
    rows = odoo.execute_kw(
        "ir.model.data",
        "search_read",
        [[("module", "=", module), ("name", "=", name)]],
        {"fields": ["res_id"]},
    )
    assert rows, f"no record with external id {xmlid}"
    return rows[0]["res_id"]


def new_user(admin, connect, groups):
    """A new internal user in exactly `groups` (besides Internal User), logged in."""
    login = f"rpc_{uuid.uuid4().hex[:10]}"
    group_ids = [ref(admin, "base.group_user"), *(ref(admin, xmlid) for xmlid in groups)]
    admin.env["res.users"].create(
        {"name": login, "login": login, "password": login, "group_ids": [(6, 0, group_ids)]}
    )
    return connect(login)


def overdue_debtor(admin, name, amount, days_overdue):
    """A company with one posted customer invoice `days_overdue` days past due, under
    the demo's standard follow-up policy."""
    today = datetime.date.today()
    debtor = admin.env["res.partner"].create(
        {
            "name": f"{name} {next(_serial)} {uuid.uuid4().hex[:4]}",
            "is_company": True,
            "email": f"ap-{uuid.uuid4().hex[:6]}@example.com",
            "collection_policy_id": ref(
                admin, "collections_management.collection_policy_standard_demo"
            ),
        }
    )
    invoice = admin.env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": debtor,
            "invoice_date": str(today - datetime.timedelta(days=days_overdue + 30)),
            "invoice_date_due": str(today - datetime.timedelta(days=days_overdue)),
            "invoice_payment_term_id": False,
            "invoice_line_ids": [
                (0, 0, {"name": "Consulting", "quantity": 1, "price_unit": amount, "tax_ids": []})
            ],
        }
    )
    admin.execute_kw("account.move", "action_post", [[invoice]])
    [state] = admin.execute_kw("account.move", "read", [[invoice], ["state"]])
    assert state["state"] == "posted"
    return debtor, invoice


def proposed_debtors(odoo, run):
    comms = odoo.execute_kw(
        "collection.communication",
        "search_read",
        [[("run_id", "=", run)]],
        {"fields": ["partner_id", "state"]},
    )
    return {comm["partner_id"][0]: comm["state"] for comm in comms}


def error_name(exc):
    return (exc.info or {}).get("data", {}).get("name", "")


def test_collector_and_manager_work_a_day_over_odoorpc(admin, connect):
    """A collector reads the worklist, logs a call in which the debtor promises to pay
    and records the promise; a manager previews the day's follow-up (the promised
    invoice is paused, the other debtor is proposed) and runs it."""
    today = datetime.date.today()
    promising, promising_invoice = overdue_debtor(admin, "Promising Debtor", 1200.0, 20)
    silent, _silent_invoice = overdue_debtor(admin, "Silent Debtor", 800.0, 20)
    collector = connect("collector")
    manager = connect("cmanager")

    # The manager's preview opens a case for each debtor; both are proposed.
    Run = manager.env["collection.run"]
    run = Run.create({})
    manager.execute_kw("collection.run", "action_preview", [[run]])
    assert {promising, silent} <= set(proposed_debtors(manager, run))
    [case] = manager.execute_kw(
        "collection.case",
        "search",
        [[("partner_id", "=", promising), ("is_open", "=", True)]],
    )
    # The manager hands the case to the collector for a call today.
    manager.execute_kw(
        "collection.case",
        "write",
        [[case], {"user_id": collector.env.uid, "next_action_date": str(today)}],
    )

    # The collector's worklist (My Worklist: my open cases to work today, best first).
    worklist = collector.execute_kw(
        "collection.case",
        "search_read",
        [
            [
                ("user_id", "=", collector.env.uid),
                ("is_open", "=", True),
                "|",
                ("next_action_date", "<=", str(today)),
                ("activity_date_deadline", "<=", str(today)),
            ]
        ],
        {
            "fields": ["partner_id", "amount_overdue", "priority_score"],
            "order": "priority_score desc",
        },
    )
    assert case in [row["id"] for row in worklist]
    [row] = [row for row in worklist if row["id"] == case]
    assert row["amount_overdue"] == pytest.approx(1200.0)

    # The debtor calls in and promises to pay: the contact-log wizard, as the UI does.
    wizard = collector.env["collection.contact.log"].create(
        {
            "case_id": case,
            "channel": "phone",
            "direction": "inbound",
            "outcome": "promise",
            "contact_name": "Accounts payable",
            "note": "Will pay everything in ten days.",
        }
    )
    action = collector.execute_kw("collection.contact.log", "action_log", [[wizard]])
    assert action["res_model"] == "collection.promise"
    promised = today + datetime.timedelta(days=10)
    promise = collector.execute_kw(
        "collection.promise",
        "create",
        [{"date_promised": str(promised)}],
        {"context": action["context"]},
    )
    [values] = collector.execute_kw(
        "collection.promise",
        "read",
        [[promise], ["state", "amount", "move_ids", "case_id", "partner_id"]],
    )
    assert values["state"] == "open"
    assert values["amount"] == pytest.approx(1200.0)
    assert values["move_ids"] == [promising_invoice]
    assert values["case_id"][0] == case
    contacts = collector.execute_kw(
        "collection.contact",
        "search_read",
        [[("case_id", "=", case)]],
        {"fields": ["channel", "direction", "outcome", "user_id"]},
    )
    assert [(c["channel"], c["direction"], c["outcome"], c["user_id"][0]) for c in contacts] == [
        ("phone", "inbound", "promise", collector.env.uid)
    ]

    # The manager previews again: the promise pauses its invoice; then runs.
    manager.execute_kw("collection.run", "action_preview", [[run]])
    proposed = proposed_debtors(manager, run)
    assert silent in proposed
    assert promising not in proposed, "an open promise pauses the follow-up of its invoices"
    manager.execute_kw("collection.run", "action_run", [[run]])
    [done] = manager.execute_kw("collection.run", "read", [[run], ["state"]])
    assert done["state"] in ("running", "done")
    assert proposed_debtors(manager, run)[silent] != "draft", "the run acted on the proposal"

    # A collector may neither preview nor run the follow-up.
    for method in ("action_preview", "action_run"):
        with pytest.raises(odoorpc.error.RPCError) as refused:
            collector.execute_kw("collection.run", method, [[run]])
        assert error_name(refused.value).endswith("AccessError")


@pytest.mark.parametrize(
    ("model", "method"),
    [
        ("collection.run", "_compute_proposals"),
        ("collection.run", "_process_batch"),
        ("collection.case", "_sync_cases"),
        ("collection.contact", "_create_entries"),
        ("collection.promise", "_evaluate"),
    ],
)
def test_private_methods_are_refused_over_rpc(admin, connect, model, method):
    """Whoever calls: the administrator and a manager get the same refusal."""
    for odoo in (admin, connect("cmanager")):
        [record] = odoo.execute_kw(model, "search", [[]], {"limit": 1}) or [0]
        with pytest.raises(odoorpc.error.RPCError) as refused:
            odoo.execute_kw(model, method, [[record] if record else []])
        assert "Private methods" in str(refused.value), str(refused.value)


def _buttons(admin):
    """{(model, method): set of group xml ids the view requires, or None when shown to
    all}: every object button of our addons' views, with the model it is called on
    (the comodel inside a one2many's inline view)."""
    views = admin.execute_kw(
        "ir.model.data",
        "search_read",
        [[("model", "=", "ir.ui.view"), ("module", "in", ADDONS)]],
        {"fields": ["res_id"]},
    )
    records = admin.execute_kw(
        "ir.ui.view", "read", [[v["res_id"] for v in views], ["model", "arch_db"]]
    )
    relations = {}
    found = {}
    for view in records:
        arch = etree.fromstring(view["arch_db"].encode())
        for button in arch.iter("button"):
            if button.get("type") != "object":
                continue
            model = view["model"]
            groups = set()
            node = button
            while node is not None:
                if node.get("groups"):
                    groups |= set(node.get("groups").split(","))
                if node.tag == "field" and node.get("name") and not node.get("position"):
                    if model not in relations:
                        relations[model] = admin.execute_kw(
                            model, "fields_get", [], {"attributes": ["relation"]}
                        )
                    relation = relations[model].get(node.get("name"), {}).get("relation")
                    model = relation or model
                    break
                node = node.getparent()
            key = (model, button.get("name"))
            # a method shown to everyone somewhere is only held to the lowest bar
            found[key] = None if (not groups or found.get(key, groups) is None) else groups
    return found


def test_every_button_checks_its_callers_rights(admin, connect):
    """Every method a button of our views calls refuses, over RPC, a user without the
    collections groups; a button shown only to managers (or above) refuses a collector.
    The method checks, not the view: a client calls any public method it likes."""
    buttons = _buttons(admin)
    assert len(buttons) > 50, "the views' buttons were found"
    outsider = new_user(admin, connect, [])
    collector = new_user(admin, connect, [COLLECTOR])
    unguarded = []
    for (model, method), groups in sorted(buttons.items(), key=lambda item: item[0]):
        [record] = admin.execute_kw(model, "search", [[]], {"limit": 1}) or [10**8]
        callers = [("a user without collections rights", outsider)]
        if groups and groups <= ABOVE_COLLECTOR:
            callers.append(("a collector", collector))
        for who, odoo in callers:
            try:
                odoo.execute_kw(model, method, [[record]])
            except odoorpc.error.RPCError as exc:
                if error_name(exc).endswith("AccessError"):
                    continue
                unguarded.append(f"{model}.{method} for {who}: {error_name(exc)} {exc}")
            else:
                unguarded.append(f"{model}.{method} for {who}: it ran")
    assert not unguarded, "\n".join(unguarded)
