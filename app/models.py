"""Every domain's models, imported in one place for alembic and the test database."""

from app import idempotency, page_versions  # noqa: F401
from app.accounts import models as accounts_models  # noqa: F401
from app.db import Base
from app.diary import models as diary_models  # noqa: F401
from app.forum import models as forum_models  # noqa: F401
from app.member_data import models as member_data_models  # noqa: F401
from app.notifications import models as notifications_models  # noqa: F401
from app.research import models as research_models  # noqa: F401
from app.review import models as review_models  # noqa: F401
from app.search import models as search_models  # noqa: F401

metadata = Base.metadata
