"""Messages to operators on the SNS topic named by CHURNOPS_NOTIFICATIONS_TOPIC_ARN."""

from __future__ import annotations

import json
import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from churnops.registry.errors import StoreUnavailable

logger = logging.getLogger(__name__)

# SNS rejects subjects longer than 100 characters.
MAX_SUBJECT_LENGTH = 100


def publish(sns: Any, topic_arn: str | None, subject: str, body: dict[str, Any]) -> bool:
    """Publish one JSON message; return False, with a warning, when no topic is configured."""
    if not topic_arn:
        logger.warning("CHURNOPS_NOTIFICATIONS_TOPIC_ARN is not set; message not sent: %s", subject)
        return False
    try:
        sns.publish(
            TopicArn=topic_arn,
            Subject=subject[:MAX_SUBJECT_LENGTH],
            Message=json.dumps(body, indent=2, sort_keys=True, default=str),
        )
    except (ClientError, BotoCoreError) as exc:
        raise StoreUnavailable(f"failed to publish to {topic_arn}: {exc}") from exc
    return True
