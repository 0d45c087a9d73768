"""The phone menu (base.html's details.navmenu): the same places as the inline navigation,
plus the account links and every company of the person (the usernav it replaces on phones).
The browser side (375 px, no sideways scrolling, each link followed) is tests/e2e/test_phone.py."""

import re

from organizations.models import Membership

from .factories import MembershipFactory

LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>')


def _block(html, start, end):
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def _places(html):
    inline = _block(html, '<nav class="mainnav"', "</nav>")
    menu = _block(html, '<details class="navmenu">', "</details>")
    return LINK.findall(inline), LINK.findall(_block(menu, "<nav", "</nav>")), menu


def test_the_menu_lists_the_same_places_as_the_navigation_with_the_current_one_marked(admin):
    html = admin.get("/acme/teams/").content.decode()
    inline, menu_links, _ = _places(html)
    assert menu_links == inline
    assert [name for _, _, name in menu_links] == [
        "My OKRs",
        "Company",
        "Teams",
        "Explore",
        "Alignment",
        "This week",
        "Dashboard",
        "Admin",
    ]
    assert [name for _, current, name in menu_links if current] == ["Teams"]


def test_a_members_menu_has_no_dashboard_or_admin(member):
    html = member.get("/acme/my/").content.decode()
    _, menu_links, _ = _places(html)
    names = [name for _, _, name in menu_links]
    assert "Dashboard" not in names and "Admin" not in names
    assert names[:2] == ["My OKRs", "Company"]


def test_the_menu_holds_the_account_links_and_every_company(member, other_org):
    MembershipFactory(org=other_org, user=member.user, role=Membership.Role.MEMBER)
    html = member.get("/acme/my/").content.decode()
    _, _, menu = _places(html)
    account = _block(menu, '<div class="navmenu-account">', "</form>")
    assert '<a href="/acme/my/" aria-current="true">Acme</a>' in account
    assert '<a href="/globex/my/">Globex</a>' in account
    assert 'href="/accounts/settings/"' in account
    assert 'action="/accounts/logout/"' in account
    assert "Sign out" in menu


def test_pages_outside_a_company_have_no_menu(member):
    html = member.get("/accounts/settings/").content.decode()
    assert 'class="navmenu"' not in html
    assert "Sign out" in html
