"""What an organisation keeps for its people: the competence catalog, goals
and community sessions."""
