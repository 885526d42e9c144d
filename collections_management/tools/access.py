"""Who may do what, for every user but the superuser.

- The groups of the app, and the check every public action (`action_*`, callable
  over RPC whatever a view shows) makes of its caller: `requires_group`.
- The system fields of a model (states, outcomes, amounts, approvals... what the
  app computes) are not written by hand: `check_system_values` refuses them in the
  values of a create or a write, `without_system_defaults` in the context defaults.
  The actions that set them check their caller first, then write in sudo()."""

import functools

from odoo import Command
from odoo.exceptions import AccessError

COLLECTOR = "collections_management.group_collections_collector"
MANAGER = "collections_management.group_collections_manager"
ADMIN = "collections_management.group_collections_admin"


def check_group(env, group):
    """Raise AccessError unless the user of `env` is in `group` (an XML id); the
    superuser (crons, code already in sudo) passes."""
    if env.su or env.user.has_group(group):
        return
    raise AccessError(env._("Only a user of the group %s can do this.", env.ref(group).sudo().name))


def requires_group(group, operation="write"):
    """Decorate a public action: its caller must be in `group` and may `operation`
    ("read" or "write") the records it is called on, else AccessError. The superuser
    passes."""

    def decorator(method):
        @functools.wraps(method)
        def checked(self, *args, **kwargs):
            if not self.env.su:
                check_group(self.env, group)
                self.check_access(operation)
            return method(self, *args, **kwargs)

        return checked

    return decorator


def _is_default_value(model, fname, value):
    """Whether `value` is the default of field `fname` of `model` (a computed field has
    none: only an empty value is). Context defaults do not count: a client sets them."""
    field = model._fields[fname]
    if field.type in ("one2many", "many2many"):
        # only commands that leave the value empty
        return all(
            isinstance(command, list | tuple)
            and (command[0] == Command.CLEAR or (command[0] == Command.SET and not command[2]))
            for command in value or ()
        )
    empty = model.browse()

    def normalized(raw):
        return field.convert_to_cache(raw, empty, validate=False) or False

    default = field.default(empty) if field.default and not field.compute else False
    return normalized(value) == normalized(default)


def check_system_values(model, fnames, vals, on_create=False):
    """Refuse the system fields `fnames` of `model` in the values `vals` of a write (on
    create: those not at their default), unless in sudo."""
    if model.env.su:
        return
    for fname in fnames:
        if fname not in vals:
            continue
        if on_create and _is_default_value(model, fname, vals[fname]):
            continue
        env = model.env
        raise AccessError(
            env._(
                "%(field)s of %(model)s is set by the system, not by hand: use the actions "
                "of the record.",
                field=model._fields[fname]._description_string(env),
                model=env["ir.model"]._get(model._name).name,
            )
        )


def without_system_defaults(model, fnames):
    """`model` without the context defaults of its system fields `fnames` (unless in
    sudo): a create ignores them."""
    context = model.env.context
    ignored = {f"default_{fname}" for fname in fnames} & context.keys()
    if model.env.su or not ignored:
        return model
    return model.with_context({key: value for key, value in context.items() if key not in ignored})
