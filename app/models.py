"""Every model, imported in one place for Alembic and the model/migration check."""
from app.accounts.models import AuthSession, RoleAssignment, User  # noqa: F401
from app.audit.models import AuditEntry  # noqa: F401
from app.notifications.models import Notification  # noqa: F401
from app.places.models import Community, Department, Grid, Subdistrict  # noqa: F401
from app.consultation.models import (  # noqa: F401
    Category, Comment, ConsultationSettings, Follow, Photo, PostingBlock, Rating, Report, Support, Topic, TopicEvent,
)
from app.meetings.models import (  # noqa: F401
    AgendaItem, Attendance, BallotBox, BallotReceipt, Body, BodyMember, CheckinFailure, Meeting, Motion, MotionRoll,
    Tally, Vote,
)
from app.timebank.models import Account, LedgerRequest, Posting, ServiceRecord, TimebankSettings, Txn  # noqa: F401
from app.timebank.family_models import FamilyLink, FamilyProxy, FamilyTransfer  # noqa: F401
from app.volunteering.models import Activity, Certificate, Signup, VolunteerProfile  # noqa: F401
from app.evaluation.models import (  # noqa: F401
    Criterion, EvaluationRound, Reminder, Score, Sheet, SurveyAnswer, SurveyQuestion, SurveyResponse,
)
from app.lists.models import ListItem, ListRemoval, ListVersion  # noqa: F401
from app.agreements.models import (  # noqa: F401
    AdmissionRequest, AdmissionSettings, Agreement, AgreementItem, Fulfilment, FulfilmentPhoto, Milestone, Payment,
)
from app.timebank.exchange_models import (  # noqa: F401
    ExchangeProfile, HelpCategory, HelpMessage, HelpOffer, HelpRequest, ServiceClaim, ServiceListing,
)
