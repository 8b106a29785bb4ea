# SPDX-License-Identifier: GPL-2.0
"""The host side of the test harness: what scripts/*.py share."""
