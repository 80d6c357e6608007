"""Community consultation (民事民议、民事民决、民事民办、民事民评): the one
name other packages import (`from app.consultation import services`).

Each subject lives in its own module; this one re-exports their public functions:

- rules.py       who may do what, the state machine table (`ALLOWED`), the
                 scoped loaders (`topic_for`, `comment_for`, …) and `actions_for`
- settings.py    a community's settings, categories, keywords, posting blocks
- topics.py      writing and submitting topics, `transition` (the only place a
                 state changes), supports, follows, ratings, the timeline
- comments.py    comments and reports
- moderation.py  the social workers' steps, hiding and keeping, the queue
- listing.py     the public list, search and one's own topics

Services flush; the request commits once (app/web.py).
"""
from __future__ import annotations

from app.consultation.comments import (  # noqa: F401
    add_comment,
    comments_of,
    delete_comment,
    edit_comment,
    recount_comments,
    report,
    report_households,
    reports_for,
)
from app.consultation.listing import FILTER_STATES, BadCursor, list_topics, my_topics, search_ids  # noqa: F401
from app.consultation.models import Outcome, ReportReason, ReportTarget, Stance, SupportBasis, TopicState  # noqa: F401
from app.consultation.moderation import (  # noqa: F401
    add_progress,
    complete,
    hide_comment,
    hide_topic,
    keep_topic,
    merge,
    merge_into,
    QUEUE_PAGE,
    moderation_queue,
    publish,
    put_on_agenda,
    queue_count,
    record_decision,
    reject,
    request_changes,
    restore_comment,
    start_deliberation,
)
from app.consultation.rules import (  # noqa: F401
    ALLOWED,
    COMMENT_EDIT_WINDOW,
    actions_for,
    block_for,
    can_read,
    comment_actions_for,
    comment_for,
    is_moderator,
    may_raise_topic,
    may_report,
    moderated_community,
    photo_for,
    shows_moderator_note,
    topic_for,
)
from app.consultation.settings import (  # noqa: F401
    block_user,
    blocks_of,
    categories_for,
    ensure_defaults,
    lift_block,
    matched_keywords,
    normalise,
    save_settings,
    settings_for,
)
from app.consultation.topics import (  # noqa: F401
    add_photos,
    add_support,
    create_topic,
    follows,
    rate,
    rating_of,
    rating_summary,
    set_follow,
    submit_topic,
    support_tally,
    supports,
    timeline,
    transition,
    update_topic,
    withdraw_support,
    withdraw_topic,
)
from app.sqltypes import utcnow  # noqa: F401
