"""Site templates learned from the corpus (issue 10): furniture an outlet prints on many of its pages.

shapes   a line's match key with what changes from page to page masked (dates, names, places, free text)
counts   per shard: on how many distinct pages of each site a shape sits in the lead or at the bottom
learn    one task: the shapes that are a site's template, with the guards for real text
apply    in the signatures phase: template lines cut from the edges, audited, their metadata kept
"""
