"""VLM teachers, prompt forms and the teacher-score cache (Step 6)."""
