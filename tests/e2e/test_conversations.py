"""Conversations and requests between two people, each in their own browser:

- Mia mentions Tom with the @ picker (keyboard only); Tom sees it in his inbox (the bell's
  count goes up) and, having chosen the daily digest for mentions, in the digest e-mail.
- Mara comments on one of Mia's check-ins from the key result's history (in place, at 1280
  and 375 px); Mia's inbox opens the key result at that check-in.
- With the company's alignment requests on, Erik asks to align his team's objective to a
  company objective he does not own; it waits (counted nowhere) until its owner, the admin,
  accepts it in her browser; then the company objective counts it.
"""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from alignment.models import AlignmentRequest
from checkins.models import CheckIn
from notifications import delivery
from objectives.models import KeyResult, Objective
from organizations.clock import company_now
from organizations.models import Organization

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

BLOCKING = {"serious", "critical"}
MIAS_OBJECTIVE = "Grow our APAC audience on social media"
ERIKS_OBJECTIVE = "Keep the platform fast and reliable"
COMPANY_OBJECTIVE = "Make onboarding effortless for every customer"
FOLLOWERS_KR = "Gain 1,000 relevant followers this quarter"


def _blocking_axe(page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in BLOCKING
    ] + csp_violations(page)


def _bell(page) -> int:
    """The bell's number once htmx has fetched it (0 when nothing is unread)."""
    page.wait_for_load_state("networkidle")
    text = page.locator("#inbox-count .inbox-count").all_inner_texts()
    return int(text[0]) if text else 0


def _next_digest_hour(org) -> datetime.datetime:
    """Tomorrow at 8:05 company time: the daily digest's hour."""
    local = company_now(org) + datetime.timedelta(days=1)
    return local.replace(hour=delivery.DIGEST_HOUR, minute=5, second=0, microsecond=0)


def test_a_mention_made_with_the_picker_reaches_the_inbox_and_the_digest(journey, demo):
    objective = Objective.objects.get(org__slug="acme", title=MIAS_OBJECTIVE)

    # Tom wants mentions in the daily digest rather than at once.
    tom = journey.new_page()
    sign_in(tom, "tom@acme.example")
    tom.goto("/acme/inbox/settings/")
    tom.get_by_role("group", name="When someone mentions you").get_by_label(
        "Daily digest e-mail"
    ).check()
    tom.get_by_role("button", name="Save").click()
    expect(tom.locator(".flash-success")).to_contain_text("Saved")
    unread_before = _bell(tom)
    del mail.outbox[:]  # what the demo's seeding e-mailed

    mia = journey.new_page()
    sign_in(mia, "mia@acme.example")
    mia.goto(f"/acme/objectives/{objective.pk}/")
    conversation = mia.locator("section#conversation")
    conversation.scroll_into_view_if_needed()  # htmx loads the thread when it is revealed
    box = conversation.get_by_label("Add a comment")
    expect(box).to_be_visible()
    listbox = conversation.locator(".mention-list")

    # "@M" offers people (Mara, Mia, ...); Escape closes the list and keeps the text.
    box.press_sequentially("@M", delay=40)
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    expect(listbox.get_by_role("option", name="Mia Chen")).to_be_visible()
    assert listbox.get_by_role("option").count() >= 2
    journey.shot(mia, "picker open")
    assert not _blocking_axe(mia)
    box.press("ArrowDown")
    expect(listbox.get_by_role("option").nth(1)).to_have_attribute("aria-selected", "true")
    assert box.get_attribute("aria-activedescendant") == listbox.get_by_role("option").nth(
        1
    ).get_attribute("id")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("@M")

    # Tom, picked with the keyboard: the mention is written the way the server reads it.
    box.fill("")
    box.press_sequentially("Thanks @To", delay=40)
    expect(listbox.get_by_role("option", name="Tom Becker")).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value("Thanks @Tom Becker ")
    expect(listbox).to_be_hidden()
    box.press_sequentially("for the article ideas!")
    conversation.get_by_role("button", name="Comment").click()
    comment = mia.locator("section#conversation .comment").last
    expect(comment).to_contain_text("Thanks @Tom Becker for the article ideas!")
    expect(comment.get_by_role("link", name="@Tom Becker")).to_be_visible()
    journey.shot(mia, "comment with a mention")
    assert not csp_violations(mia)

    # Tom: the bell counts it, the inbox says who and where.
    tom.goto("/acme/")
    expect(tom.locator("#inbox-count .inbox-count")).to_have_text(str(unread_before + 1))
    tom.locator("a.inbox-bell").click()
    item = tom.locator(".inbox-item", has_text=f"Mia Chen mentioned you on “{MIAS_OBJECTIVE}”")
    expect(item).to_contain_text("Thanks @Tom Becker for the article ideas!")
    journey.shot(tom, "inbox")
    assert [m for m in mail.outbox if m.to == ["tom@acme.example"]] == []  # not at once

    # The daily digest at 8:00 company time tells him, once.
    org = Organization.objects.get(slug="acme")
    delivery.send_digests(now=_next_digest_hour(org))
    digests = [m for m in mail.outbox if m.to == ["tom@acme.example"]]
    assert len(digests) == 1
    assert f"Mia Chen mentioned you on “{MIAS_OBJECTIVE}”" in digests[0].body
    assert "Thanks @Tom Becker for the article ideas!" in digests[0].body
    delivery.send_digests(now=_next_digest_hour(org))
    assert len([m for m in mail.outbox if m.to == ["tom@acme.example"]]) == 1


def test_an_alignment_request_waits_for_the_owner_and_counts_once_accepted(journey, demo):
    org = Organization.objects.get(slug="acme")
    org.alignment_requests = True
    org.save(update_fields=["alignment_requests"])
    mine = Objective.objects.get(org=org, title=ERIKS_OBJECTIVE, period__is_current=True)
    goal = Objective.objects.get(org=org, title=COMPANY_OBJECTIVE)

    erik = journey.new_page()
    sign_in(erik, "erik@acme.example")
    erik.goto(f"/acme/objectives/{mine.pk}/")
    panel = erik.locator("#alignment-panel")
    picker = panel.get_by_label("Aligns to")
    option = picker.locator("option", has_text=COMPANY_OBJECTIVE)
    expect(option).to_have_count(1)
    picker.select_option(value=option.get_attribute("value"))
    panel.get_by_role("button", name="Align").click()
    # Pending: said on his page, counted nowhere.
    expect(erik.locator("#alignment-panel")).to_contain_text(
        f"Waiting for Ada Whitfield to accept aligning it to “{COMPANY_OBJECTIVE}”"
    )
    journey.shot(erik, "request pending")
    mine.refresh_from_db()
    assert mine.parent_id is None
    erik.goto(f"/acme/objectives/{goal.pk}/")
    expect(erik.locator(".contributors")).not_to_contain_text(ERIKS_OBJECTIVE)
    assert not csp_violations(erik)

    # The admin, its owner, answers from her inbox.
    admin = journey.new_page()
    sign_in(admin, "admin@acme.example")
    admin.goto("/acme/inbox/")
    admin.get_by_role(
        "link", name=f"Erik Berg asks to align “{ERIKS_OBJECTIVE}” to your “{COMPANY_OBJECTIVE}”"
    ).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Align “{ERIKS_OBJECTIVE}”?")
    assert not _blocking_axe(admin)
    admin.get_by_label("Comment").fill("Yes: reliability is part of a good start.")
    admin.get_by_role("button", name="Accept").click()
    expect(admin.locator(".flash-success")).to_contain_text(
        f"“{ERIKS_OBJECTIVE}” now aligns to “{COMPANY_OBJECTIVE}”."
    )
    journey.shot(admin, "request accepted")

    # Counted now: the company objective lists it, Erik's path goes up through it.
    request = AlignmentRequest.objects.get(child=mine, status="accepted")
    assert request.answered_by.user.email == "admin@acme.example"
    mine.refresh_from_db()
    assert mine.parent_id == goal.pk
    erik.goto(f"/acme/objectives/{goal.pk}/")
    expect(erik.locator(".contributors")).to_contain_text(ERIKS_OBJECTIVE)
    erik.goto(f"/acme/objectives/{mine.pk}/")
    expect(erik.locator(".contribution-path")).to_contain_text(COMPANY_OBJECTIVE)
    expect(erik.locator("#alignment-panel")).not_to_contain_text("Waiting for")
    assert not csp_violations(erik) and not csp_violations(admin)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_comment_on_a_check_in_is_written_in_the_history_and_read_by_its_author(
    journey, demo, width
):
    kr = KeyResult.objects.get(
        org__slug="acme", title=FOLLOWERS_KR, objective__period__is_current=True
    )
    earlier = CheckIn.objects.filter(key_result=kr).order_by("-created_at", "-id")[
        1
    ]  # no comments yet

    mara = journey.new_page(width=width)
    sign_in(mara, "mara@acme.example")
    mara.goto(f"/acme/krs/{kr.pk}/")
    block = mara.locator(f"#checkin-{earlier.pk}-comments")
    block.get_by_text("Comment on this check-in").click()
    box = block.get_by_label("Your comment")
    box.press_sequentially("Good week! @Mi", delay=40)
    expect(block.get_by_role("option", name="Mia Chen")).to_be_visible()
    box.press("Enter")
    box.press_sequentially("what changed?")
    assert not _blocking_axe(mara)
    block.get_by_role("button", name="Comment", exact=True).click()
    # Swapped in place by htmx: the page stays where it was.
    comment = mara.locator(f"#checkin-{earlier.pk}-comments .comment")
    expect(comment).to_contain_text("Good week! @Mia Chen what changed?")
    assert mara.evaluate("document.documentElement.scrollWidth") <= width
    journey.shot(mara, f"check-in comment {width}")
    assert not csp_violations(mara)

    mia = journey.new_page(width=width)
    sign_in(mia, "mia@acme.example")
    mia.goto("/acme/inbox/")
    mia.get_by_role("link", name=f"Mara Lindqvist mentioned you on “{FOLLOWERS_KR}”").first.click()
    expect(mia.locator(f"#checkin-{earlier.pk}-comments")).to_contain_text(
        "Good week! @Mia Chen what changed?"
    )
    assert mia.url.endswith(f"/acme/krs/{kr.pk}/#checkin-{earlier.pk}")
