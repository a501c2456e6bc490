"""Shared test settings: every test gets its own state directory."""

import os
import tempfile

# Set before mistral_svc.config is imported anywhere, so defaults never touch ~/.local.
os.environ.setdefault("MISTRAL_SVC_STATE_DIR", tempfile.mkdtemp(prefix="mistral-svc-test-"))
