"""A faithful local stand-in for Adobe IMS, the Privacy Service API and the Adobe Status API.

Plain Python and the standard library's HTTP server; it imports nothing from Lookout. See
simulator/README.md, `python -m simulator --help`, `simulator.server.start()` and
`simulator.control.SimulatorControl`.
"""

from __future__ import annotations
