import { Component } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { formatMonetary } from "@web/views/fields/formatters";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * A list of the Collections dashboard (aging, top debtors, collector leaderboard): the
 * field holds rows `{label, amount, cases_worked?}`, shown as a small table with
 * the amounts in the currency of the card.
 */
export class CollectionDashboardTable extends Component {
    static template = "collections_management.CollectionDashboardTable";
    static props = { ...standardFieldProps };

    get rows() {
        return this.props.record.data[this.props.name] || [];
    }

    formatAmount(amount) {
        return formatMonetary(amount, { data: this.props.record.data });
    }
}

export const collectionDashboardTable = {
    component: CollectionDashboardTable,
    supportedTypes: ["json"],
};

registry.category("fields").add("collection_dashboard_table", collectionDashboardTable);
