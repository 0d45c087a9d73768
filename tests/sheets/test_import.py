"""Importing objectives and key results from CSV and XLSX: a preview that writes nothing and
lists every row's problems by row and column, then all or nothing, and never twice."""

import pytest
from django.urls import reverse

from alignment.models import AlignmentRequest
from audit.models import AuditEntry
from objectives.models import KeyResult, Objective
from sheets.models import ImportReference, ImportUpload
from tests import factories as f

from .helpers import body, confirm, csv_bytes, read_xlsx, token_of, upload, xlsx_bytes


def _counts(org):
    return (
        Objective.objects.for_org(org).count(),
        KeyResult.objects.for_org(org).count(),
        ImportReference.objects.for_org(org).count(),
    )


def _clean_rows(period, team, owner_email):
    return [
        ["O1", "objective", "Win the mid-market", "", period.name, "team", team.name, "", ""],
        [
            "K1",
            "key result",
            "Sign 40 customers",
            "O1",
            "",
            "",
            "",
            owner_email,
            "",
            "increase",
            "0",
            "40",
        ],
        [
            "O2",
            "objective",
            "Run 12 webinars",
            "",
            period.name,
            "individual",
            "",
            owner_email,
            "O1",
            "",
            "",
            "",
            "published",
        ],
        ["K2", "key result", "Webinars held", "O2", "", "", "", "", "", "increase", "0", "12"],
        ["K3", "key result", "Recording library live", "O2", "", "", "", "", "", "milestone"],
    ]


def test_clean_file_previews_then_imports_once_and_never_again(
    admin, org, period, team, admin_membership
):
    content = xlsx_bytes(_clean_rows(period, team, admin_membership.user.email))
    before = _counts(org)

    preview = upload(admin, org, "okrs.xlsx", content)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.problems == []
    assert [line.ref for line in result.created] == ["O1", "O2", "K1", "K2", "K3"]
    assert "aligned to “Win the mid-market”" in preview.content.decode()
    assert _counts(org) == before  # the preview wrote nothing

    done = confirm(admin, org, token_of(preview))
    assert done.status_code == 302
    team_goal = Objective.objects.get(org=org, title="Win the mid-market")
    webinars = Objective.objects.get(org=org, title="Run 12 webinars")
    assert team_goal.team == team and team_goal.status == Objective.Status.DRAFT
    assert webinars.parent == team_goal and webinars.status == Objective.Status.ACTIVE
    assert webinars.owner == admin_membership
    assert list(webinars.key_results.values_list("title", "target_value")) == [
        ("Webinars held", 12),
        ("Recording library live", 1),
    ]
    assert _counts(org) == (before[0] + 2, before[1] + 3, 5)
    actions = set(AuditEntry.objects.filter(org=org).values_list("action", flat=True))
    assert {
        "objective.create",
        "key_result.create",
        "objective.align",
        "objective.publish",
        "sheets.import",
    } <= actions

    again = upload(admin, org, "okrs-again.xlsx", content)
    assert again.context["result"].created == []
    assert [line.ref for line in again.context["result"].skipped] == ["O1", "K1", "O2", "K2", "K3"]
    assert "Nothing new to import" in again.content.decode()
    confirm(admin, org, token_of(again))
    assert _counts(org) == (before[0] + 2, before[1] + 3, 5)


def test_confirming_twice_imports_once(admin, org, period, team, admin_membership):
    preview = upload(admin, org, "okrs.csv", csv_bytes(_clean_rows(period, team, "x@y.z")[:1]))
    token = token_of(preview)
    assert confirm(admin, org, token).status_code == 302
    second = confirm(admin, org, token)
    assert second.status_code == 302
    assert Objective.objects.for_org(org).filter(title="Win the mid-market").count() == 1


def test_problems_are_listed_by_row_and_column_and_nothing_is_written(
    admin, org, period, team, admin_membership
):
    rows = [
        ["O1", "objective", "Fine objective", "", period.name, "team", team.name],
        ["O2", "objective", "", "", "Next decade", "team", "Nowhere"],
        ["K1", "key result", "Grow", "O1", "", "", "", "", "", "increase", "0", "lots"],
        ["O1", "objective", "Same ref twice", "", period.name, "company"],
        ["O3", "objective", "Orphan", "", period.name, "individual", "", "nobody@x.example", "O9"],
        ["X1", "thing", "What is this"],
        ["K2", "key result", "Start equals target", "O1", "", "", "", "", "", "increase", "5", "5"],
    ]
    before = _counts(org)
    response = upload(admin, org, "okrs.csv", csv_bytes(rows))
    assert response.status_code == 200
    problems = {(p.row, p.column) for p in response.context["result"].problems}
    assert {
        (3, "C (title)"),
        (3, "E (period)"),
        (3, "G (team)"),
        (4, "L (target)"),
        (5, "A (ref)"),
        (6, "H (owner)"),
        (6, "I (parent_ref)"),
        (7, "B (type)"),
    } <= problems
    # A service's own rule, found by the dry run: start and target must differ.
    assert any(p.row == 8 for p in response.context["result"].problems)
    page = response.content.decode()
    assert "No team is called “Nowhere”." in page
    assert "“lots” is not a number" in page
    assert "Import " not in page.split("import-preview")[1].split("The columns")[0].replace(
        "Import objectives", ""
    )  # no confirm button
    assert _counts(org) == before

    refused = confirm(admin, org, token_of(response))
    assert refused.status_code == 409
    assert _counts(org) == before


def test_a_row_refused_at_confirmation_rolls_back_every_row(
    admin, org, period, team, admin_membership
):
    """All or nothing: the period closed between the preview and the confirmation."""
    other = f.PeriodFactory(org=org, name="Other quarter")
    rows = [
        ["O1", "objective", "In the open quarter", "", other.name, "company"],
        ["O2", "objective", "In the closing quarter", "", period.name, "company"],
    ]
    preview = upload(admin, org, "okrs.csv", csv_bytes(rows))
    assert preview.context["result"].ok
    manager = f.MembershipFactory(org=org, role="manager")
    # Admins may still write a closed period; a manager may not: the manager imports.
    from django.test import Client

    client = Client()
    client.force_login(manager.user)
    rows = [
        ["O1", "objective", "Mine, open", "", other.name, "individual"],
        ["O2", "objective", "Mine, closing", "", period.name, "individual"],
    ]
    preview = upload(client, org, "mine.csv", csv_bytes(rows))
    assert preview.context["result"].ok
    period.is_closed = True
    period.save(update_fields=["is_closed"])
    before = _counts(org)
    response = confirm(client, org, token_of(preview))
    assert response.status_code == 409
    assert [p.row for p in response.context["result"].problems] == [3]
    assert _counts(org) == before  # the first row, fine alone, was rolled back too


def test_manager_imports_for_their_team_but_not_for_the_company(
    manager, org, period, team, manager_membership
):
    rows = [
        ["O1", "objective", "Our team goal", "", period.name, "team", team.name],
        ["O2", "objective", "A company goal", "", period.name, "company"],
        ["O3", "objective", "Sales goal", "", period.name, "team", "Sales"],
    ]
    f.TeamFactory(org=org, name="Sales")
    response = upload(manager, org, "okrs.csv", csv_bytes(rows))
    problems = response.context["result"].problems
    assert [(p.row, p.column) for p in problems] == [(3, "F (level)"), (4, "G (team)")]
    assert [line.ref for line in response.context["result"].created] == ["O1"]


def test_members_may_not_import(member, org):
    assert member.get(reverse("sheets:import", args=[org.slug])).status_code == 403
    response = upload(member, org, "okrs.csv", csv_bytes([]))
    assert response.status_code == 403
    assert not ImportUpload.objects.exists()


def test_a_cycle_in_the_file_is_a_problem_on_the_parent_column(admin, org, period):
    year = f.PeriodFactory(
        org=org, kind="year", name="The year", start=period.start, end=period.end
    )
    rows = [
        ["O1", "objective", "A", "", year.name, "company", "", "", "O2"],
        ["O2", "objective", "B", "", year.name, "company", "", "", "O1"],
    ]
    response = upload(admin, org, "okrs.csv", csv_bytes(rows))
    problems = response.context["result"].problems
    assert problems and all(p.column == "I (parent_ref)" for p in problems)


def test_a_ref_imported_before_with_another_title_is_a_problem(admin, org, period, team):
    upload_one = upload(
        admin, org, "a.csv", csv_bytes([["O1", "objective", "First", "", period.name, "company"]])
    )
    confirm(admin, org, token_of(upload_one))
    response = upload(
        admin,
        org,
        "b.csv",
        csv_bytes([["O1", "objective", "Something else", "", period.name, "company"]]),
    )
    (problem,) = response.context["result"].problems
    assert problem.column == "A (ref)" and "imported before as “First”" in problem.message


def test_parents_and_objectives_imported_before_are_found_by_ref(admin, org, period, team):
    first = upload(
        admin,
        org,
        "a.csv",
        csv_bytes([["C1", "objective", "Company goal", "", period.name, "company"]]),
    )
    confirm(admin, org, token_of(first))
    rows = [
        ["T1", "objective", "Team goal", "", period.name, "team", team.name, "", "C1"],
        ["K9", "key result", "A number", "C1", "", "", "", "", "", "increase", "0", "3"],
    ]
    confirm(admin, org, token_of(upload(admin, org, "b.csv", csv_bytes(rows))))
    goal = Objective.objects.get(org=org, title="Company goal")
    assert Objective.objects.get(org=org, title="Team goal").parent == goal
    assert goal.key_results.get().title == "A number"


def test_asking_companies_ask_the_parent_owner(manager, org, period, team, admin_membership):
    org.alignment_requests = True
    org.save(update_fields=["alignment_requests"])
    goal = f.ObjectiveFactory(org=org, period=period, level="company", owner=admin_membership)
    ImportReference.objects.create(org=org, ref="GOAL", objective=goal)
    rows = [["T1", "objective", "Team goal", "", period.name, "team", team.name, "", "GOAL"]]
    preview = upload(manager, org, "a.csv", csv_bytes(rows))
    assert "asks to align to" in preview.content.decode()
    confirm(manager, org, token_of(preview))
    child = Objective.objects.get(org=org, title="Team goal")
    assert child.parent is None
    assert AlignmentRequest.objects.filter(child=child, parent=goal).exists()


def test_someone_elses_upload_cannot_be_confirmed(admin, manager, org, period, team):
    preview = upload(
        manager,
        org,
        "a.csv",
        csv_bytes([["T1", "objective", "Team goal", "", period.name, "team", team.name]]),
    )
    response = confirm(admin, org, token_of(preview))
    assert response.status_code == 302
    assert not Objective.objects.filter(org=org, title="Team goal").exists()


BAD_FILES = [
    ("notes.pdf", b"%PDF-1.4 whatever", "neither a .csv nor an .xlsx"),
    ("okrs.xlsx", b"\x89PNG\r\n\x1a\n garbage bytes", "not an .xlsx workbook"),
    ("okrs.xlsx", b"PK\x03\x04 this is no zip at all", "not a readable .xlsx workbook"),
    ("okrs.csv", b"PK\x03\x04\x14\x00", "a workbook, not a CSV"),
    ("okrs.csv", "ref;type;title\nO1;objective;Ça va\n".encode("latin-1"), "not UTF-8"),
    ("okrs.csv", b"ref,type,title\x00\x01\x02", "not a text file"),
    ("okrs.csv", b"", "The submitted file is empty"),
    ("okrs.csv", b"\n\n", "is empty"),
    ("okrs.csv", b"name,owner\nGrow,a@b.c\n", "has no column ref, type, title"),
    ("okrs.csv", b"ref,type,title,title\n", "the column title twice"),
    ("okrs.csv", b"ref,type,title\n" + b"R,objective,T\n" * 501, "more than 500 rows"),
    ("okrs.csv", b"ref,type,title\n" + b"x" * (2 * 1024 * 1024), "the limit is 2 MB"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_bad_files_get_a_clear_message_beside_the_field(admin, org, name, content, message):
    response = upload(admin, org, name, content)
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert any(message in e for e in errors), errors
    assert 'id="id_file_error"' in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_a_semicolon_csv_with_a_byte_order_mark_reads(admin, org, period):
    content = f"\ufeffref;type;title;period;level\nO1;objective;Grow;{period.name};company\n"
    response = upload(admin, org, "okrs.csv", content.encode("utf-8"))
    assert [line.title for line in response.context["result"].created] == ["Grow"]


def test_the_template_imports_as_it_is(admin, org, period, team, admin_membership):
    response = admin.get(reverse("sheets:template-xlsx", args=[org.slug]))
    content = body(response)
    rows, _ = read_xlsx(content)
    assert rows[0][:3] == ["ref", "type", "title"]
    preview = upload(admin, org, "template.xlsx", content)
    result = preview.context["result"]
    assert result.problems == []
    assert (result.objectives_created, result.key_results_created) == (2, 3)
    csv_template = body(admin.get(reverse("sheets:template-csv", args=[org.slug])))
    assert upload(admin, org, "t.csv", csv_template).context["result"].ok


def test_import_adds_three_queries_a_row_to_what_the_service_costs(
    admin, org, period, admin_membership, django_assert_max_num_queries
):
    """The look-ups are a few queries for the whole file; each row then costs what its
    service costs (as a form's save would), plus its savepoint and its reference."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from objectives.services import objective_create

    def file_of(n):
        rows = [[f"O{i}", "objective", f"Goal {i}", "", period.name, "company"] for i in range(n)]
        return csv_bytes(rows)

    with CaptureQueriesContext(connection) as service:
        objective_create(
            org=org, actor=admin_membership, period=period, level="company", title="By hand"
        )
    counts = []
    for n in (2, 20):
        with CaptureQueriesContext(connection) as captured:
            assert upload(admin, org, "a.csv", file_of(n)).status_code == 200
        counts.append(len(captured))
    assert (counts[1] - counts[0]) / 18 <= len(service) + 3, (counts, len(service))
    with django_assert_max_num_queries(counts[0]):
        upload(admin, org, "a.csv", file_of(2))


def test_refs_of_objectives_the_importer_may_not_see_name_nothing(
    manager, org, period, team, admin_membership
):
    secret = f.ObjectiveFactory(
        org=org,
        period=period,
        level="company",
        owner=admin_membership,
        title="Secret merger plan",
        visibility="private",
    )
    ImportReference.objects.create(org=org, ref="S1", objective=secret)
    rows = [
        ["T1", "objective", "Team goal", "", period.name, "team", team.name, "", "S1"],
        ["K1", "key result", "Sneaky KR", "S1", "", "", "", "", "", "increase", "0", "3"],
    ]
    response = upload(manager, org, "a.csv", csv_bytes(rows))
    messages = [(p.row, p.column, p.message) for p in response.context["result"].problems]
    assert messages == [
        (2, "I (parent_ref)", "No objective has the ref “S1”."),
        (3, "D (objective_ref)", "No objective has the ref “S1”."),
    ]
    assert "Secret merger plan" not in response.content.decode()
    rows = [["S1", "objective", "Guessing", "", period.name, "team", team.name]]
    response = upload(manager, org, "b.csv", csv_bytes(rows))
    messages = [(p.row, p.column, p.message) for p in response.context["result"].problems]
    assert messages == [(2, "A (ref)", "“S1” is already used in the company: choose another.")]
    assert "Secret merger plan" not in response.content.decode()
