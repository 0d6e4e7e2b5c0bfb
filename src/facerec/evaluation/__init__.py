"""``facerec eval``: measure detection, verification and identification on a labelled photo folder.

dataset.py reads the folder, photos.py runs the real pipeline over it, metrics.py turns scores into
rates, protocol.py applies the verification and identification protocols, report.py prints and
writes the results. Imports the engine and the service's pure rules (quality gate, decisions);
nothing of the web or the database.
"""
