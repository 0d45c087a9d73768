"""The conversation of an objective or of one of its key results, as the page shows it:
three queries whatever its length (comments with authors, reaction counts with the viewer's,
mentioned people). The comments on a key result's check-ins, for its check-in history: two
queries for all the check-ins listed."""

from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.safestring import SafeString

from objectives.presenters import RowUrls
from organizations.markdown import render_markdown
from organizations.models import Membership

from .models import Comment, Mention, Reaction
from .permissions import can_edit_comment, can_remove_comment

THREAD_MAX = 100  # the newest comments shown; an older one is still found by search (later)


@dataclass
class ReactionCount:
    emoji: str
    label: str
    count: int
    mine: bool


@dataclass
class CommentView:
    comment: Comment
    body_html: SafeString
    reactions: list[ReactionCount] = field(default_factory=list)
    may_edit: bool = False
    may_remove: bool = False


def _with_mention_links(body: str, people, url) -> str:
    """Each mentioned person's "@Name" becomes a Markdown link to their page, before the
    text is rendered and sanitised like any other link."""
    for membership in people:
        name = "@" + membership.user.get_full_name()
        link = url("objectives:person", person_id=membership.pk)
        body = body.replace(name, f"[{name}]({link})")
    return body


def _comment_views(viewer, org_slug: str, comments, *, with_reactions=True) -> list[CommentView]:
    """Each comment with its text rendered (mentions linked) and what the viewer may do:
    one query for the mentioned people, one for the reactions (when shown)."""
    if not comments:
        return []
    ids = [c.pk for c in comments]
    counts: dict[int, dict[str, tuple[int, bool]]] = {}
    if with_reactions:
        rows = (
            Reaction.objects.filter(comment_id__in=ids)
            .values("comment_id", "emoji")
            .annotate(n=Count("id"), mine=Count("id", filter=Q(membership=viewer)))
        )
        for row in rows:
            counts.setdefault(row["comment_id"], {})[row["emoji"]] = (row["n"], row["mine"] > 0)
    mentioned: dict[int, list] = {}
    for mention in Mention.objects.filter(comment_id__in=ids).select_related("membership__user"):
        mentioned.setdefault(mention.comment_id, []).append(mention.membership)
    url = RowUrls(org_slug)
    views = []
    for comment in comments:
        mine = counts.get(comment.pk, {})
        views.append(
            CommentView(
                comment=comment,
                body_html=render_markdown(
                    _with_mention_links(comment.body, mentioned.get(comment.pk, []), url)
                ),
                reactions=[
                    ReactionCount(value, label, *mine.get(value, (0, False)))
                    for value, label in Reaction.Emoji.choices
                ]
                if with_reactions
                else [],
                may_edit=can_edit_comment(viewer, comment),
                may_remove=can_remove_comment(viewer, comment),
            )
        )
    return views


def thread(viewer, org_slug: str, objective, key_result=None) -> tuple[list[CommentView], bool]:
    """(the newest ``THREAD_MAX`` comments, oldest first; whether older ones exist). Comments
    on the key result's check-ins are shown under each check-in instead."""
    comments = list(
        Comment.objects.filter(objective=objective, key_result=key_result, checkin=None)
        .select_related("author__user")
        .order_by("-created_at", "-id")[: THREAD_MAX + 1]
    )
    older = len(comments) > THREAD_MAX
    comments = comments[:THREAD_MAX][::-1]
    return _comment_views(viewer, org_slug, comments), older


CHECKIN_COMMENTS_MAX = 300  # of the check-ins one history lists; the oldest beyond are cut


@dataclass
class CheckinThread:
    """One check-in's comments as its history row shows them, with the ids its block, its
    text box and its form need."""

    checkin_id: int
    url: str
    comments: list[CommentView] = field(default_factory=list)

    @property
    def block_id(self) -> str:
        return f"checkin-{self.checkin_id}-comments"

    @property
    def box_id(self) -> str:
        return f"checkin{self.checkin_id}-body"


def checkin_comments(viewer, org_slug: str, checkin_ids) -> dict[int, CheckinThread]:
    """Each of ``checkin_ids`` (check-ins of key results the viewer may see) with its
    comments, oldest first: two queries however many check-ins and comments, none when no
    check-in is listed."""
    found = {
        checkin_id: CheckinThread(checkin_id, checkin_thread_url(org_slug, checkin_id))
        for checkin_id in checkin_ids
    }
    if not found:
        return {}
    comments = list(
        Comment.objects.filter(checkin_id__in=list(found))
        .select_related("author__user")
        .order_by("-created_at", "-id")[:CHECKIN_COMMENTS_MAX]
    )[::-1]
    for view in _comment_views(viewer, org_slug, comments, with_reactions=False):
        found[view.comment.checkin_id].comments.append(view)
    return found


def checkin_thread_url(org_slug: str, checkin_id: int) -> str:
    return reverse("checkins:comments", kwargs={"org_slug": org_slug, "checkin_id": checkin_id})


def comment_home_url(org_slug: str, comment) -> str:
    """Where a comment is read: its check-in's comments, or its thread."""
    if comment.checkin_id:
        return checkin_thread_url(org_slug, comment.checkin_id)
    return thread_url(org_slug, comment.objective, comment.key_result)


def thread_url(org_slug: str, objective, key_result=None) -> str:
    if key_result is not None:
        return reverse("conversations:kr", kwargs={"org_slug": org_slug, "kr_id": key_result.pk})
    return reverse(
        "conversations:objective", kwargs={"org_slug": org_slug, "objective_id": objective.pk}
    )


MENTION_CHOICES_MAX = 8


def people_to_mention(org, query: str, limit: int = MENTION_CHOICES_MAX) -> list[Membership]:
    """The company's active people one of whose names starts with ``query`` (those whose
    full name does first, then by name): what the ``@`` picker offers (one query). Only
    people with a full name: a mention is ``@`` and the full name."""
    query = " ".join(query.split())[:60]
    if not query:
        return []
    starts = Q(user__full_name__istartswith=query)
    return list(
        Membership.objects.for_org(org)
        .filter(is_active=True)
        .filter(starts | Q(user__full_name__icontains=f" {query}"))
        .select_related("user")
        .annotate(
            first=Case(When(starts, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("first", "user__full_name", "pk")[:limit]
    )
