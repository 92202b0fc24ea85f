"""Renderers: preview trees and tables, policy reports (SARIF, JUnit, Markdown), the HTML report."""
