"""What a request may use, taken from the server side: settings, the store, the viewer's scope.

Callbacks and pages call these instead of trusting anything the browser sent. The scope is the
logged-in user's home region (dashboard/auth.py lets no anonymous request this far).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from dashboard import masking
from dashboard.auth import current_account
from dashboard.settings import Settings
from data.queries.filters import Scope
from data.store import Store


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    store: Store


def app_context() -> AppContext:
    return current_app.extensions["weijian"]


def store() -> Store:
    return app_context().store


def settings() -> Settings:
    return app_context().settings


class NotLoggedIn(PermissionError):
    """A data request without a user: the gate in dashboard/auth.py should have stopped it."""


def viewer_scope() -> Scope:
    account = current_account()
    if account is None or not account.reads_data:
        raise NotLoggedIn("no logged-in user with data access")
    return Scope.of(account.region_adcode)


# Who may see personal data (names of persons, phone and ID numbers) unmasked: the people who supervise the
# entities of their scope and need to call or identify them (managers and officers, on the entity file, the
# inboxes and the tables), and then only when the page is not switched to masked. Everyone else always sees it
# masked: display screens and kiosk views stand in public view; the administrators (三员) and the public pages
# read no personal data at all. A role not listed here (a future one) masks: the safe default.
UNMASKED_ROLES = frozenset(("province_manager", "city_manager", "county_manager", "county_officer"))


# A practitioner's ID number and phone are needed in full only by those who work the case: the county's
# officers and manager, who verify a doctor on site and call them. Province and city managers read the
# file masked. Decided here with the rest of the masking policy.
PRACTITIONER_UNMASKED_ROLES = frozenset(("county_manager", "county_officer"))


# Who may import files (the import page): the people who keep their region's records, managers and officers,
# each within their own scope (rows outside it are refused by the import, row by row). Display screens and the
# administrators (三员) never write supervision data.
IMPORT_ROLES = frozenset(("province_manager", "city_manager", "county_manager", "county_officer"))


def may_import() -> bool:
    account = current_account()
    return account is not None and account.role in IMPORT_ROLES


def shows_practitioner_data(requested_mask: bool) -> bool:
    """Whether the practitioner file shows ID number and phone in full: to those roles, unless the page asked to mask."""
    account = current_account()
    return account is not None and account.role in PRACTITIONER_UNMASKED_ROLES and not requested_mask


def masks(state: dict | None) -> bool:
    """Whether what this request builds is masked: as the page's state says (a kiosk always), and always for
    an account outside UNMASKED_ROLES or no account, decided here on the server whatever URL was sent."""
    account = current_account()
    return masking.applies(state) or account is None or account.role not in UNMASKED_ROLES


# Who runs the 双随机 draws and keeps their rules: the managers. They declare and withdraw conflicts of interest
# (回避) for the inspectors and entities of their own region; officers read the list but do not change it, since
# standing aside is what an officer asks for and a manager grants.
DRAW_MANAGER_ROLES = frozenset(("province_manager", "city_manager", "county_manager"))


def manages_draws() -> bool:
    account = current_account()
    return account is not None and account.role in DRAW_MANAGER_ROLES


def may_change_draw_weights() -> bool:
    """The draw weights are one table for every draw of the deployment (data/draws/weights.py): only a manager
    of the configured region itself (WEIJIAN_REGION, e.g. the province) may change them, never a city or county
    whose change would reweigh its neighbours' draws."""
    account = current_account()
    return manages_draws() and account.region_adcode == settings().region
