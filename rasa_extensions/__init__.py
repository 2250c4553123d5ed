"""Code that runs inside the Rasa server: the REST channel, the tracker and lock stores, the graph runner, the action-reply validator, the HTTP guard, and the NLU components (nlu/)."""
