"""Persistence of households, members, incomes, expenses, enrollments and department rosters."""
