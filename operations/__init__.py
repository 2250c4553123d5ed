"""What an operator runs: start the servers (`python -m operations.run`), delete
old or single conversations (`python -m operations.retention`), and the helpers
those commands share (processes, private_files). Nothing here runs inside Rasa."""
