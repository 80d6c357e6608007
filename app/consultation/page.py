"""What the topic page and its htmx fragments show, each loading only its own
part: the follow button does not need the comments, the support box does not
need the ratings."""
from __future__ import annotations

from app.consultation.comments import comment_page, replies_page, reports_for
from app.consultation.models import ReportTarget, Topic
from app.consultation.rules import actions_for, comment_actions_for, may_report
from app.consultation.settings import settings_for
from app.consultation.topics import follows, rating_of, rating_summary, supports, timeline


def follow_box(viewer, topic: Topic) -> dict:
    return {"topic": topic, "following": follows(viewer, topic)}


def support_box(viewer, topic: Topic) -> dict:
    """The support count and buttons, with the state line and timeline (a support may move the topic on)."""
    actions = actions_for(viewer, topic)
    return {"topic": topic, "actions": actions, "settings": settings_for(topic.community_id),
            "supported": supports(viewer, topic), "events": timeline(topic, viewer)}


def comment_actions(viewer, topic: Topic, actions=None):
    """comment → what `viewer` may do with it (CommentActions), the topic-wide answers asked once."""
    actions = actions or actions_for(viewer, topic)
    reporter = may_report(viewer, topic)
    return lambda comment: comment_actions_for(viewer, comment, moderator=actions.moderate, reporter=reporter,
                                               commenter=actions.comment)


def comment_section(viewer, topic: Topic, after: int = 0) -> dict:
    """One page of the comments (threads after comment `after`) with what may be done with each."""
    actions = actions_for(viewer, topic)
    return {"topic": topic, "actions": actions, "comments": comment_page(topic, viewer, after),
            "comment_actions": comment_actions(viewer, topic, actions)}


def thread_replies(viewer, comment, after: int = 0) -> dict:
    """A page of one thread's replies (the thread's own page and its "more replies" fragment)."""
    replies, next_after = replies_page(comment, viewer, after)
    return {"comment": comment, "topic": comment.topic, "replies": replies, "next_after": next_after,
            "comment_actions": comment_actions(viewer, comment.topic)}


def topic_page(viewer, topic: Topic, after: int = 0) -> dict:
    """Everything the whole page shows (its comments from after comment `after`)."""
    context = {**follow_box(viewer, topic), **support_box(viewer, topic), **comment_section(viewer, topic, after)}
    actions = context["actions"]
    context.update(community=topic.community, my_rating=rating_of(viewer, topic),
                   ratings=rating_summary(topic) if actions.show_rating else None,
                   reports=reports_for(ReportTarget.topic, topic.id) if actions.moderate else [])
    return context
