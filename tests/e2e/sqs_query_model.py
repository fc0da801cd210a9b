"""SQS's Query-era botocore model with all 23 operations, for Debian's
botocore 1.29 (python3-botocore), which speaks SQS's Query protocol.

Debian's model predates the three message move task operations; they come
from sqs_query_move_tasks.json (the same operations in the last Query-era
model) and are merged in. `data_path()` writes the merged model where
botocore looks first when AWS_DATA_PATH names the directory, so that a boto3
client, or the aws CLI, built afterwards speaks all 23 operations in Query.

Import only under /usr/bin/python3 (Debian's interpreter): it reads the model
of the botocore it runs with.
"""

import json
import os
import tempfile

import botocore
import botocore.model

HERE = os.path.dirname(os.path.abspath(__file__))
API_VERSION = "2012-11-05"


def merged_model():
    """Debian's SQS model dict with the move task operations added."""
    path = os.path.join(os.path.dirname(botocore.__file__), "data", "sqs", API_VERSION,
                        "service-2.json")
    with open(path) as f:
        model = json.load(f)
    if model["metadata"].get("protocol") != "query":
        raise RuntimeError("%s is not a Query protocol model (botocore %s)"
                           % (path, botocore.__version__))
    with open(os.path.join(HERE, "sqs_query_move_tasks.json")) as f:
        additions = json.load(f)
    model["operations"].update(additions["operations"])
    for name, shape in additions["shapes"].items():
        model["shapes"].setdefault(name, shape)
    return model


def service_model():
    return botocore.model.ServiceModel(merged_model(), service_name="sqs")


def data_path():
    """A temporary directory holding sqs/2012-11-05/service-2.json (the merged
    model): set AWS_DATA_PATH to it before creating a session."""
    directory = tempfile.mkdtemp(prefix="sluice-sqs-query-model-")
    model_dir = os.path.join(directory, "sqs", API_VERSION)
    os.makedirs(model_dir)
    with open(os.path.join(model_dir, "service-2.json"), "w") as f:
        json.dump(merged_model(), f)
    return directory
