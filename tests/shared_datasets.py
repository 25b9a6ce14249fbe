"""Where the shared public datasets are: ../shared/datasets beside the checkout, or WEIJIAN_DATASETS."""

import os
from pathlib import Path

DATASETS = Path(os.environ.get("WEIJIAN_DATASETS", Path(__file__).resolve().parents[2] / "shared" / "datasets"))
