#!/usr/bin/env python3
"""Hindsight bound for a time-of-week schedule (issue #26).

Fits a publisher's profile (US Eastern; weekdays pooled, weekend pooled;
15-minute slots, lightly smoothed) on one part of a timeline, places the
polls of a 96-a-day budget at a rate proportional to the profile's density
raised to `a` (with a floor of one poll an hour, for max <= 60 min), and
scores detection delays on another part (or the same one: hindsight).
Prints median / p90 / max seconds and polls per day. It shows what no
scheduler that only knows *when in the week* a publisher publishes can
beat on this timeline.

    bench/schedbound.py [TIMELINE.json]
"""
import sys
import bisect
import collections
import datetime
import json
import os
import statistics
import zoneinfo

TIMELINE = (sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared',
    'samples', 'timelines', 'state-2021.json'))
ET=zoneinfo.ZoneInfo('America/New_York')
d=json.load(open(TIMELINE))
ts=sorted(datetime.datetime.fromisoformat(x['published'].replace('Z','+00:00')).timestamp() for x in d)
cut=datetime.datetime(2021,11,1,tzinfo=datetime.timezone.utc).timestamp()
h1=[t for t in ts if t<cut]; h2=[t for t in ts if t>=cut]
def slot(t):
    dt=datetime.datetime.fromtimestamp(t,ET)
    wk=1 if dt.weekday()>=5 else 0
    return wk*96+dt.hour*4+dt.minute//15
def profile(items, smooth=1):
    c=collections.Counter(slot(t) for t in items)
    p=[c.get(i,0) for i in range(192)]
    # per-day normalisation: weekday slots count over 5 days, weekend over 2
    p=[x/5 if i<96 else x/2 for i,x in enumerate(p)]
    if smooth:
        q=[]
        for i in range(192):
            base=(i//96)*96; j=i-base
            q.append(sum(p[base+(j+k)%96]*w for k,w in ((-1,.25),(0,.5),(1,.25))))
        p=q
    return p
def evaluate(prof, items, a, budget=96, floor_h=1.0):
    t0=items[0]-3600; t1=items[-1]+3600
    w=[(x+0.01)**a for x in prof]
    # average per week: 5 weekday days + 2 weekend days, 96 slots each
    def total(k): return sum(max(1/(4*floor_h),k*w[i])*(5 if i<96 else 2) for i in range(192))
    lo,hi=0,1e6
    for _ in range(100):
        k=(lo+hi)/2
        if total(k)>budget*7: hi=k
        else: lo=k
    r=[max(1/(4*floor_h),lo*w[i]) for i in range(192)]
    polls=[];t=t0-t0%900;acc=0.0
    while t<t1:
        n=r[slot(t)];acc+=n;k=int(acc);acc-=k
        for j in range(k): polls.append(t+900*(j+0.5)/k)
        t+=900
    dl=sorted(polls[bisect.bisect_left(polls,p)]-p for p in items)
    return round(statistics.median(dl)),dl[int(.9*len(dl))],round(max(dl)),round(len(polls)/((t1-t0)/86400),1)
print("split a: median_s p90_s max_s polls_per_day")
for name,tr,te in (("h1->h2",h1,h2),("h2->h1",h2,h1),("all->all",ts,ts)):
    for a in (0.3,0.5,0.7,1.0):
        print(name,a,evaluate(profile(tr),te,a))
