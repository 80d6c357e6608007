"""What the topic page and its htmx fragments show, each loading only its own
part: the follow button does not need the comments, the support box does not
need the ratings."""
from __future__ import annotations

from app.consultation.comments import comments_of, reports_for
from app.consultation.models import ReportTarget, Topic
from app.consultation.rules import actions_for, comment_actions_for, may_report
from app.consultation.settings import residents_of, settings_for
from app.consultation.topics import follows, rating_of, rating_summary, supports, timeline


def follow_box(viewer, topic: Topic) -> dict:
    return {"topic": topic, "following": follows(viewer, topic)}


def support_box(viewer, topic: Topic) -> dict:
    """The support count and buttons, with the state line and timeline (a support may move the topic on)."""
    actions = actions_for(viewer, topic)
    return {"topic": topic, "actions": actions, "settings": settings_for(topic.community_id),
            "supported": supports(viewer, topic), "events": timeline(topic, viewer),
            "proxy_residents": residents_of(topic.community_id) if actions.moderate else []}


def comment_section(viewer, topic: Topic) -> dict:
    actions = actions_for(viewer, topic)
    reporter = may_report(viewer, topic)

    def comment_actions(comment):
        return comment_actions_for(viewer, comment, moderator=actions.moderate, reporter=reporter,
                                   commenter=actions.comment)

    return {"topic": topic, "actions": actions, "threads": comments_of(topic, viewer),
            "comment_actions": comment_actions}


def topic_page(viewer, topic: Topic) -> dict:
    """Everything the whole page shows."""
    context = {**follow_box(viewer, topic), **support_box(viewer, topic), **comment_section(viewer, topic)}
    actions = context["actions"]
    context.update(community=topic.community, my_rating=rating_of(viewer, topic),
                   ratings=rating_summary(topic) if actions.show_rating else None,
                   reports=reports_for(ReportTarget.topic, topic.id) if actions.moderate else [])
    return context
