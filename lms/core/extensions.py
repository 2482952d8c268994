"""Extension objects shared across domains (initialised in create_app)."""
from __future__ import annotations

from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

compress = Compress()
csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
