/* Part of tests/bench/userns-parts.sh: the cost of a remapped pod's user namespace alone. 300
 * times: clone a child into new net/IPC/UTS namespaces (mode 0) or, as liftoff's supervisor does
 * for a remapped pod, into a new user namespace owning them, with its uid and gid maps written
 * (mode 1); the child waits on a pipe and exits. Prints microseconds per pod. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){
  int mode=atoi(argv[1]); int n=300; double t0=now();
  for(int i=0;i<n;i++){
    int fl=CLONE_NEWNET|CLONE_NEWIPC|CLONE_NEWUTS|SIGCHLD; if(mode) fl|=CLONE_NEWUSER;
    int pp[2]; pipe(pp);
    long p=syscall(SYS_clone,fl,0,0,0,0);
    if(p==0){char c; close(pp[1]); read(pp[0],&c,1); _exit(0);}
    close(pp[0]);
    if(mode){char path[64]; sprintf(path,"/proc/%ld/uid_map",p); int fd=open(path,O_WRONLY); char m[64]; int l=sprintf(m,"0 %d 65536\n",600000+i*65536%1000000); write(fd,m,l); close(fd);
      sprintf(path,"/proc/%ld/gid_map",p); fd=open(path,O_WRONLY); write(fd,m,l); close(fd);}
    close(pp[1]); waitpid(p,0,0);
  }
  printf("mode %d: %.1f us per pod namespaces\n",mode,(now()-t0)/n*1e6);
}
