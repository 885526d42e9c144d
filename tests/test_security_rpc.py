"""Outside-in security probes: JSON-RPC and the report routes of a real server, as the
users concerned. The administrator builds each user here, so nothing depends on the
demo users' rights."""

import itertools
import uuid

import pytest

from .odoo_client import OdooClient, RpcError

COLLECTOR = "collections_management.group_collections_collector"
SALESMAN = "sales_team.group_sale_salesman"
REPORTS = {
    "statement": "collections_management.report_collection_statement",
    "letter": "collections_management.report_collection_letter",
    "plan": "collections_management.report_payment_plan",
}
_serial = itertools.count(1)


@pytest.fixture
def admin(odoo_server):
    client = OdooClient(odoo_server.base_url, odoo_server.db)
    client.login("admin", "admin")
    return client


def _user(odoo_server, admin, groups, company_ids=None):
    """A new user with exactly `groups`, logged in: its client."""
    login = f"probe_{uuid.uuid4().hex[:10]}"
    vals = {
        "name": login,
        "login": login,
        "password": login,
        "group_ids": [[6, 0, [admin.ref(xmlid) for xmlid in groups]]],
    }
    if company_ids:
        vals.update(company_id=company_ids[0], company_ids=[[6, 0, company_ids]])
    admin.call("res.users", "create", vals)
    client = OdooClient(odoo_server.base_url, odoo_server.db)
    client.login(login, login)
    return client


def _debtor(admin, name):
    return admin.call(
        "res.partner", "create", {"name": f"{name} {next(_serial)}", "is_company": True}
    )


def _printed(admin):
    """A record of each report's model from the demo database: (report, id, debtor name)."""
    [comm] = admin.call(
        "collection.communication", "search_read", [], fields=["partner_id"], limit=1
    )
    [plan] = admin.call(
        "collection.payment.plan", "search_read", [], fields=["partner_id"], limit=1
    )
    return [
        ("statement", comm["partner_id"][0], comm["partner_id"][1]),
        ("letter", comm["id"], comm["partner_id"][1]),
        ("plan", plan["id"], plan["partner_id"][1]),
    ]


def test_reports_refused_to_a_salesman(odoo_server, admin):
    """A salesman without accounting or collections rights prints no collections report
    over the report routes, in HTML or PDF: 403, and nothing of the debtor."""
    salesman = _user(odoo_server, admin, [SALESMAN])
    for report, record_id, debtor in _printed(admin):
        for converter in ("html", "pdf"):
            response = salesman.http.get(
                f"{odoo_server.base_url}/report/{converter}/{REPORTS[report]}/{record_id}",
                timeout=120,
            )
            assert response.status_code == 403, (report, converter, response.status_code)
            assert debtor not in response.text, (report, converter)


def test_reports_printed_for_a_collections_administrator(odoo_server, admin):
    """The same routes print for a user entitled to them (the check is not a blanket ban)."""
    for report, record_id, debtor in _printed(admin):
        response = admin.http.get(
            f"{odoo_server.base_url}/report/html/{REPORTS[report]}/{record_id}", timeout=120
        )
        assert response.status_code == 200, report
        assert debtor.split(",")[0] in response.text, report


def test_guard_check_key_from_a_client_does_not_skip_the_guards(odoo_server, admin):
    """The context key of the run's own entries does not skip the guards for a client,
    alone or with an override reason (collectors cannot override)."""
    collector = _user(odoo_server, admin, [COLLECTOR])
    debtor = _debtor(admin, "Ceased Debtor")
    admin.call("res.partner", "write", [debtor], {"collection_cease": True})
    for context in (
        {"collection_guard_checked": True},
        {"collection_guard_checked": True, "collection_guard_override": "my reason"},
    ):
        with pytest.raises(RpcError):
            collector.call(
                "collection.contact",
                "create",
                {"partner_id": debtor, "channel": "phone", "direction": "outbound"},
                context=context,
            )
    assert admin.call("collection.contact", "search_count", [("partner_id", "=", debtor)]) == 0


def test_override_fields_are_never_taken_from_a_client(odoo_server, admin):
    collector = _user(odoo_server, admin, [COLLECTOR])
    debtor = _debtor(admin, "Plain Debtor")
    [admin_id] = admin.call("res.users", "search", [("login", "=", "admin")])
    try:
        contact = collector.call(
            "collection.contact",
            "create",
            {
                "partner_id": debtor,
                "channel": "email",
                "direction": "inbound",
                "guard_override_user_id": admin_id,
                "guard_override_reason": "forged",
            },
        )
    except RpcError:
        contact = None  # refused outright: as good
    if contact:
        [values] = admin.call(
            "collection.contact",
            "read",
            [contact],
            fields=["guard_override_user_id", "guard_override_reason"],
        )
        assert not values["guard_override_user_id"]
        assert not values["guard_override_reason"]


def test_a_record_cannot_move_to_a_company_its_user_cannot_access(odoo_server, admin):
    main_company = admin.ref("base.main_company")
    other_company = admin.call(
        "res.company", "create", {"name": f"Probe Co {uuid.uuid4().hex[:6]}"}
    )
    collector = _user(odoo_server, admin, [COLLECTOR], [main_company])
    debtor = _debtor(admin, "Held Debtor")
    hold = collector.call(
        "collection.hold",
        "create",
        {"scope": "debtor", "partner_id": debtor, "reason": "probe", "date_end": "2027-01-31"},
    )
    with pytest.raises(RpcError):
        collector.call("collection.hold", "write", [hold], {"company_id": other_company})
    [values] = admin.call("collection.hold", "read", [hold], fields=["company_id"])
    assert values["company_id"][0] == main_company
