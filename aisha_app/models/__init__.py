"""Every table, imported here so ``SQLModel.metadata`` knows them all."""

from aisha_app.models.contact import Contact, ContactPublic, LeadLabel, LeadStage, SourceType
from aisha_app.models.conversation import (
    Channel,
    Conversation,
    ConversationStatus,
    Message,
    MessageDirection,
    MessageStatus,
    MessageType,
)
from aisha_app.models.journey import (
    ActivityKind,
    LeadActivity,
    Review,
    WaitingList,
    WaitingListEntry,
    WaitingStatus,
)
from aisha_app.models.knowledge import KnowledgeArticle, MessageTemplate, Product, TemplateStatus
from aisha_app.models.ops import (
    AuditLog,
    AuditLogPublic,
    Automation,
    AutomationRun,
    Job,
    JobStatus,
    WebhookEvent,
)
from aisha_app.models.user import (
    LoginAttempt,
    PasswordReset,
    Role,
    User,
    UserCreate,
    UserPublic,
    UserUpdate,
)

__all__ = [
    "ActivityKind",
    "AuditLog",
    "AuditLogPublic",
    "Automation",
    "AutomationRun",
    "Channel",
    "Contact",
    "ContactPublic",
    "Conversation",
    "ConversationStatus",
    "Job",
    "JobStatus",
    "KnowledgeArticle",
    "LeadActivity",
    "LeadLabel",
    "LeadStage",
    "LoginAttempt",
    "Message",
    "MessageDirection",
    "MessageStatus",
    "MessageTemplate",
    "MessageType",
    "PasswordReset",
    "Product",
    "Review",
    "Role",
    "SourceType",
    "TemplateStatus",
    "User",
    "UserCreate",
    "UserPublic",
    "UserUpdate",
    "WaitingList",
    "WaitingListEntry",
    "WaitingStatus",
    "WebhookEvent",
]
