"""The conversation of an objective or of one of its key results, as the page shows it:
three queries whatever its length (comments with authors, reaction counts with the viewer's,
mentioned people)."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.safestring import SafeString

from objectives.presenters import RowUrls
from organizations.markdown import render_markdown

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


def thread(viewer, org_slug: str, objective, key_result=None) -> tuple[list[CommentView], bool]:
    """(the newest ``THREAD_MAX`` comments, oldest first; whether older ones exist)."""
    comments = list(
        Comment.objects.filter(objective=objective, key_result=key_result)
        .select_related("author__user")
        .order_by("-created_at", "-id")[: THREAD_MAX + 1]
    )
    older = len(comments) > THREAD_MAX
    comments = comments[:THREAD_MAX][::-1]
    if not comments:
        return [], False
    ids = [c.pk for c in comments]
    counts: dict[int, dict[str, tuple[int, bool]]] = {}
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
                ],
                may_edit=can_edit_comment(viewer, comment),
                may_remove=can_remove_comment(viewer, comment),
            )
        )
    return views, older


def thread_url(org_slug: str, objective, key_result=None) -> str:
    if key_result is not None:
        return reverse("conversations:kr", kwargs={"org_slug": org_slug, "kr_id": key_result.pk})
    return reverse(
        "conversations:objective", kwargs={"org_slug": org_slug, "objective_id": objective.pk}
    )
