"""Task priorities shared by the apps' background tasks (django-tasks; db_worker runs higher first)."""

# Someone is waiting for the result (an export to download, a roster import's progress page, reminder
# e-mails a trainer just sent): run before background upkeep such as the search index tasks that
# Wagtail queues for every page save (priority 0), which load_demo queues by the hundred.
USER_WAITING = 50
